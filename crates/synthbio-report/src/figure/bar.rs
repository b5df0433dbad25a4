//! Bar charts (explained variance, counts per group, ...).

use super::range::{drawable, pad, MAX_MAGNITUDE};
use super::{bold, caption_px, drawing_error, font, plural, text_width, truncate, Drawn};
use crate::error::{ReportError, Result};
use crate::palette::{AXIS, GRID, GROUP_COLOURS, INK};
use crate::text::format_number;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

/// Bars are labelled with their value up to this many bars.
const MAX_VALUE_LABELS: usize = 20;
/// Upright bar labels are cut to this many characters.
const MAX_UPRIGHT_CHARS: usize = 20;

/// Draws a bar chart of `size` pixels. Bars with a non-finite value keep
/// their slot but are not drawn; the notes say which.
pub fn draw(
    title: &str,
    y_label: &str,
    labels: &[String],
    values: &[f64],
    size: (u32, u32),
) -> Result<Drawn> {
    if labels.len() != values.len() {
        return Err(ReportError::LengthMismatch {
            title: title.to_string(),
            field: "values",
            found: values.len(),
            reference: "labels",
            expected: labels.len(),
        });
    }
    let err = drawing_error(title);
    let n = values.len();
    let slots = i32::try_from(n.max(1)).map_err(|_| ReportError::Drawing {
        title: title.to_string(),
        message: format!("{n} bars are more than can be drawn; give fewer bars"),
    })?;
    let finite: Vec<f64> = values.iter().copied().filter(|&v| drawable(v)).collect();
    let lo = finite.iter().copied().fold(0.0_f64, f64::min);
    let hi = finite.iter().copied().fold(0.0_f64, f64::max);
    // Bars start at zero; headroom above (and below, for negative bars) for value labels.
    // Bars start at zero (`lo <= 0 <= hi`); 10% headroom on the sides with
    // bars, for value labels. A span too small to label is widened by `pad`.
    let y_range = if lo == hi {
        0.0..1.0
    } else {
        let below = if lo < 0.0 { 0.1 } else { 0.0 };
        let above = if hi > 0.0 { 0.1 } else { 0.0 };
        let r = pad(lo, hi, below, above);
        r.start.min(0.0)..r.end.max(0.0)
    };

    // Room per bar; labels that do not fit side by side stand upright, and
    // when even upright ones would overlap only every `step`-th is shown.
    let slot_px = f64::from(size.0.saturating_sub(110)) / n.max(1) as f64;
    let longest = labels
        .iter()
        .map(|l| text_width(l, 13.0))
        .fold(0.0, f64::max);
    let upright = longest > slot_px - 6.0;
    let label_area = if upright {
        let chars = labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .min(MAX_UPRIGHT_CHARS);
        // At most 20 characters, so the cast cannot truncate.
        (text_width(&"m".repeat(chars), 12.0) + 18.0) as u32
    } else {
        40
    };
    let step = if upright {
        // Both are positive and small; `ceil` gives a whole number of at least 1.
        (15.0 / slot_px).ceil().max(1.0) as usize
    } else {
        1
    };

    let mut svg = String::new();
    {
        let full = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        full.fill(&WHITE).map_err(&err)?;
        let root = full
            .titled(title, bold(caption_px(title, size.0)).color(&INK))
            .map_err(&err)?;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(6)
            .margin_left(8)
            .margin_right(20)
            .margin_bottom(8)
            .x_label_area_size(label_area)
            .y_label_area_size(68)
            .build_cartesian_2d((0..slots - 1).into_segmented(), y_range.clone())
            .map_err(&err)?;

        // About 7 px per character of 13 px text.
        let max_chars = ((slot_px / 7.0).floor() as usize).max(3);
        let x_label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) if !upright => usize::try_from(*i)
                .ok()
                .and_then(|i| labels.get(i))
                .map(|l| truncate(l, max_chars))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let tick = |v: &f64| format_number(*v);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n.clamp(1, 40))
            .y_labels(7)
            .x_label_formatter(&x_label)
            .y_label_formatter(&tick)
            .y_desc(y_label)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(AXIS)
            .label_style(font(13.0).color(&AXIS))
            .axis_desc_style(font(14.0).color(&INK))
            .draw()
            .map_err(&err)?;

        if upright {
            // Drawn on the whole figure in backend pixels: the text runs
            // upwards and ends just below the axis, under its bar.
            let style = font(12.0)
                .color(&AXIS)
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Right, VPos::Center));
            for (i, label) in (0..slots).zip(labels).step_by(step) {
                let (x, y) = chart.backend_coord(&(SegmentValue::CenterOf(i), y_range.start));
                full.draw(&Text::new(
                    truncate(label, MAX_UPRIGHT_CHARS),
                    (x + 4, y + 8),
                    style.clone(),
                ))
                .map_err(&err)?;
            }
        }

        let bar_style = GROUP_COLOURS[0].filled();
        // Gaps of 12% of the slot, bars at most 90 px wide; at most a few
        // hundred px, so the cast cannot truncate.
        let margin = ((slot_px - 90.0) / 2.0).max(slot_px * 0.12).max(1.0) as u32;
        let bars = values
            .iter()
            .zip(0..slots)
            .filter(|(v, _)| drawable(**v))
            .map(|(&v, i)| {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), v),
                    ],
                    bar_style,
                );
                bar.set_margin(0, 0, margin, margin);
                bar
            });
        chart.draw_series(bars).map_err(&err)?;

        // Values are written above the bars when they fit in their slots.
        let values_fit = values
            .iter()
            .all(|v| text_width(&format_number(*v), 12.0) <= slot_px - 2.0);
        if n <= MAX_VALUE_LABELS && values_fit {
            let above = font(12.0)
                .color(&INK)
                .pos(Pos::new(HPos::Center, VPos::Bottom));
            let below = font(12.0)
                .color(&INK)
                .pos(Pos::new(HPos::Center, VPos::Top));
            let texts = values
                .iter()
                .zip(0..slots)
                .filter(|(v, _)| drawable(**v))
                .map(|(&v, i)| {
                    let style = if v >= 0.0 {
                        above.clone()
                    } else {
                        below.clone()
                    };
                    Text::new(format_number(v), (SegmentValue::CenterOf(i), v), style)
                });
            chart.draw_series(texts).map_err(&err)?;
        }

        if n == 0 {
            let style = font(15.0)
                .color(&AXIS)
                .pos(Pos::new(HPos::Center, VPos::Center));
            let middle = (y_range.start + y_range.end) / 2.0;
            chart
                .plotting_area()
                .draw(&Text::new(
                    "no data",
                    (SegmentValue::CenterOf(0), middle),
                    style,
                ))
                .map_err(&err)?;
        }
        root.present().map_err(&err)?;
    }

    let mut notes = Vec::new();
    let missing: Vec<&str> = labels
        .iter()
        .zip(values)
        .filter(|(_, v)| !drawable(**v))
        .map(|(l, _)| l.as_str())
        .collect();
    if !missing.is_empty() {
        let why = if values.iter().any(|v| v.is_finite() && !drawable(*v)) {
            format!("NaN, infinite or beyond ±{MAX_MAGNITUDE:e}")
        } else {
            "NaN or infinite".to_string()
        };
        let shown: Vec<String> = missing.iter().take(5).map(|l| format!("\"{l}\"")).collect();
        let more = if missing.len() > 5 {
            format!(" and {} more", missing.len() - 5)
        } else {
            String::new()
        };
        notes.push(format!(
            "{} of {n} not drawn ({why}): {}{more}.",
            plural(missing.len(), "bar", "bars"),
            shown.join(", ")
        ));
    }
    Ok(Drawn { svg, notes })
}
