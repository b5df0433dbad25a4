//! Scatter plots: coloured by group, marked points outlined, legend at the side.

use super::points::PointLayer;
use super::range::{drawable, padded_range, MAX_MAGNITUDE};
use super::{bold, caption_px, drawing_error, font, plural, text_width, truncate, Drawn};
use crate::error::{ReportError, Result};
use crate::palette::{AXIS, GRID, GROUP_COLOURS, HIGHLIGHT, INK, MUTED};
use crate::text::format_number;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;

/// More distinct groups than this and the smallest share one grey "other" colour.
const MAX_GROUP_COLOURS: usize = 8;
/// Legend labels are cut to this many characters.
const MAX_LEGEND_CHARS: usize = 30;
/// Font size of legend entries and tick labels, px.
const SMALL_PX: f64 = 13.0;

/// A scatter figure's fields, borrowed.
pub struct ScatterInput<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub x: &'a [f64],
    pub y: &'a [f64],
    pub groups: Option<&'a [String]>,
    pub marked: &'a [bool],
    pub marked_label: &'a str,
}

/// One colour class of points (a group, "other", or all points).
struct Class {
    label: String,
    colour: RGBColor,
    points: Vec<usize>,
}

/// Which points are drawn, in which class, and which are marked.
struct Plan {
    classes: Vec<Class>,
    marked: Vec<(usize, usize)>,
    finite: Vec<usize>,
    drawn: usize,
    skipped: usize,
    grouped: bool,
}

/// Draws a scatter plot of `size` pixels.
pub fn draw(input: &ScatterInput<'_>, size: (u32, u32)) -> Result<Drawn> {
    check_lengths(input)?;
    let plan = plan(input);
    let err = drawing_error(input.title);

    let legend = legend_entries(input, &plan);
    let legend_width = legend
        .iter()
        .map(|(label, _)| text_width(label, SMALL_PX))
        .fold(0.0, f64::max);
    let legend_width = if legend.is_empty() {
        0
    } else {
        // Legend entries are at most 26 characters, so this fits in u32.
        ((legend_width + 40.0).clamp(110.0, f64::from(size.0) * 0.35)) as u32
    };

    let mut svg = String::new();
    let pixels = {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let root = root
            .titled(
                input.title,
                bold(caption_px(input.title, size.0)).color(&INK),
            )
            .map_err(&err)?;
        let (plot_area, legend_area) = root.split_horizontally(size.0 - legend_width);

        let x_range = padded_range(plan.finite.iter().map(|&i| input.x[i]));
        let y_range = padded_range(plan.finite.iter().map(|&i| input.y[i]));

        let mut chart = ChartBuilder::on(&plot_area)
            .margin_top(6)
            .margin_left(8)
            .margin_right(16)
            .margin_bottom(8)
            .x_label_area_size(50)
            .y_label_area_size(68)
            .build_cartesian_2d(x_range.clone(), y_range.clone())
            .map_err(&err)?;
        let tick = |v: &f64| format_number(*v);
        chart
            .configure_mesh()
            .x_desc(input.x_label)
            .y_desc(input.y_label)
            .x_labels(7)
            .y_labels(7)
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(AXIS)
            .label_style(font(SMALL_PX).color(&AXIS))
            .axis_desc_style(font(14.0).color(&INK))
            .draw()
            .map_err(&err)?;

        if plan.drawn == 0 {
            let message = if input.x.is_empty() {
                "no data".to_string()
            } else {
                "no finite points to show".to_string()
            };
            let centre = (
                (x_range.start + x_range.end) / 2.0,
                (y_range.start + y_range.end) / 2.0,
            );
            let style = font(15.0)
                .color(&AXIS)
                .pos(Pos::new(HPos::Center, VPos::Center));
            chart
                .plotting_area()
                .draw(&Text::new(message, centre, style))
                .map_err(&err)?;
        }

        draw_legend(&legend_area, &legend, &plan).map_err(&err)?;

        let to_pixel = |i: usize| chart.backend_coord(&(input.x[i], input.y[i]));
        let layer = point_layer(&plan, to_pixel);
        root.present().map_err(&err)?;
        layer
    };
    pixels.insert_into(&mut svg);

    let mut notes = Vec::new();
    if plan.skipped > 0 {
        let huge = (0..input.x.len()).any(|i| {
            let (x, y) = (input.x[i], input.y[i]);
            (x.is_finite() && !drawable(x)) || (y.is_finite() && !drawable(y))
        });
        let why = if huge {
            format!("NaN, infinite or beyond ±{MAX_MAGNITUDE:e}")
        } else {
            "NaN or infinite".to_string()
        };
        notes.push(format!(
            "{} of {} not drawn: x or y is {why}.",
            plural(plan.skipped, "point", "points"),
            input.x.len()
        ));
    }
    Ok(Drawn { svg, notes })
}

/// Every per-point vector must match `x`; an empty `marked` means none marked.
fn check_lengths(input: &ScatterInput<'_>) -> Result<()> {
    let n = input.x.len();
    let mismatch = |field, found| ReportError::LengthMismatch {
        title: input.title.to_string(),
        field,
        found,
        reference: "x",
        expected: n,
    };
    if input.y.len() != n {
        return Err(mismatch("y", input.y.len()));
    }
    if let Some(groups) = input.groups {
        if groups.len() != n {
            return Err(mismatch("groups", groups.len()));
        }
    }
    if !input.marked.is_empty() && input.marked.len() != n {
        return Err(mismatch("marked", input.marked.len()));
    }
    Ok(())
}

/// Sorts points into colour classes: groups by decreasing size, the
/// smallest merged into "other" beyond eight colours.
fn plan(input: &ScatterInput<'_>) -> Plan {
    let n = input.x.len();
    let finite: Vec<usize> = (0..n)
        .filter(|&i| drawable(input.x[i]) && drawable(input.y[i]))
        .collect();
    let is_marked = |i: usize| input.marked.get(i).copied().unwrap_or(false);
    let any_marked = finite.iter().any(|&i| is_marked(i));

    let mut classes = match input.groups {
        None => vec![Class {
            label: if any_marked {
                format!("not {}", input.marked_label)
            } else {
                "points".to_string()
            },
            colour: if any_marked { MUTED } else { GROUP_COLOURS[0] },
            points: finite.clone(),
        }],
        Some(groups) => {
            let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for &i in &finite {
                by_name.entry(groups[i].as_str()).or_default().push(i);
            }
            let mut named: Vec<(&str, Vec<usize>)> = by_name.into_iter().collect();
            // Largest first; ties keep name order (the sort is stable).
            named.sort_by_key(|g| std::cmp::Reverse(g.1.len()));
            let palette = GROUP_COLOURS
                .iter()
                .copied()
                .chain(std::iter::once(RGBColor(0, 0, 0)));
            let keep = if named.len() > MAX_GROUP_COLOURS {
                MAX_GROUP_COLOURS - 1
            } else {
                named.len()
            };
            let rest = named.split_off(keep);
            let mut classes: Vec<Class> = named
                .into_iter()
                .zip(palette)
                .map(|((name, points), colour)| Class {
                    label: if name.is_empty() {
                        "(no group)".to_string()
                    } else {
                        name.to_string()
                    },
                    colour,
                    points,
                })
                .collect();
            if !rest.is_empty() {
                classes.push(Class {
                    label: format!("other ({} groups)", rest.len()),
                    colour: MUTED,
                    points: rest.into_iter().flat_map(|(_, p)| p).collect(),
                });
            }
            classes
        }
    };
    let mut marked = Vec::new();
    for (c, class) in classes.iter_mut().enumerate() {
        class.points.retain(|&i| {
            if is_marked(i) {
                marked.push((c, i));
                false
            } else {
                true
            }
        });
    }
    let drawn = finite.len();
    Plan {
        classes,
        marked,
        finite,
        drawn,
        skipped: n - drawn,
        grouped: input.groups.is_some(),
    }
}

/// Dot diameter (px) and opacity for `n` points: smaller and lighter when crowded.
fn dot_style(n: usize) -> (f64, f64) {
    match n {
        0..=100 => (9.0, 0.85),
        101..=1000 => (7.0, 0.75),
        1001..=5000 => (5.0, 0.6),
        _ => (4.0, 0.55),
    }
}

/// Legend rows: label and how to draw its symbol (`None` for the marked ring).
fn legend_entries(input: &ScatterInput<'_>, plan: &Plan) -> Vec<(String, Option<RGBColor>)> {
    let grouped = input.groups.is_some();
    if !grouped && plan.marked.is_empty() {
        return Vec::new();
    }
    let mut entries: Vec<(String, Option<RGBColor>)> = Vec::new();
    for (c, class) in plan.classes.iter().enumerate() {
        // Grouped marked points keep their group colour, so they count in
        // their group; ungrouped ones have their own colour and entry.
        let marked_here = if grouped {
            plan.marked.iter().filter(|m| m.0 == c).count()
        } else {
            0
        };
        let count = class.points.len() + marked_here;
        if count == 0 {
            continue;
        }
        entries.push((
            format!("{} ({count})", truncate(&class.label, MAX_LEGEND_CHARS)),
            Some(class.colour),
        ));
    }
    if !plan.marked.is_empty() {
        let colour = if grouped { None } else { Some(HIGHLIGHT) };
        entries.push((
            format!(
                "{} ({})",
                truncate(input.marked_label, MAX_LEGEND_CHARS),
                plan.marked.len()
            ),
            colour,
        ));
    }
    entries
}

/// Draws the legend rows at the top of `area`. The marked entry is a dark
/// ring (filled with its colour when points are not grouped).
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(String, Option<RGBColor>)],
    plan: &Plan,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let text = font(SMALL_PX)
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let marked_row = (!plan.marked.is_empty()).then(|| entries.len() - 1);
    for (row, (label, colour)) in entries.iter().enumerate() {
        // Row counts are small (at most nine), so the cast cannot truncate.
        let y = 14 + 22 * row as i32;
        let centre = (12, y);
        if Some(row) == marked_row {
            let fill = colour.unwrap_or(WHITE);
            area.draw(&Circle::new(centre, 6, fill.filled()))?;
            area.draw(&Circle::new(centre, 6, INK.stroke_width(2)))?;
        } else if let Some(colour) = colour {
            area.draw(&Circle::new(centre, 5, colour.filled()))?;
        }
        area.draw(&Text::new(label.clone(), (26, y), text.clone()))?;
    }
    Ok(())
}

/// Points in drawing order: "other" underneath, then groups from largest to
/// smallest, then marked points with a dark outline on top.
fn point_layer(plan: &Plan, to_pixel: impl Fn(usize) -> (i32, i32)) -> PointLayer {
    let (diameter, opacity) = dot_style(plan.drawn);
    let mut layer = PointLayer::default();
    let mut order: Vec<&Class> = plan.classes.iter().collect();
    order.sort_by_key(|c| c.colour != MUTED);
    for class in order {
        let pixels: Vec<(i32, i32)> = class.points.iter().map(|&i| to_pixel(i)).collect();
        layer.add(&pixels, class.colour, diameter, opacity);
    }
    if !plan.marked.is_empty() {
        // Marked dots are a little larger, with a dark ring (thinner when crowded).
        let (size, ring) = if plan.drawn > 1000 {
            (diameter + 1.0, 1.0)
        } else {
            (diameter + 3.0, 1.5)
        };
        let all: Vec<(i32, i32)> = plan.marked.iter().map(|&(_, i)| to_pixel(i)).collect();
        layer.add(&all, INK, size + 2.0 * ring, 1.0);
        // Ungrouped marked points stand out in vermillion; grouped ones keep their group colour.
        let grouped_colour = |c: usize| {
            if plan.grouped {
                plan.classes[c].colour
            } else {
                HIGHLIGHT
            }
        };
        for c in 0..plan.classes.len() {
            let pixels: Vec<(i32, i32)> = plan
                .marked
                .iter()
                .filter(|m| m.0 == c)
                .map(|&(_, i)| to_pixel(i))
                .collect();
            layer.add(&pixels, grouped_colour(c), size, 1.0);
        }
    }
    layer
}
