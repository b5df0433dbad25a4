//! Figures drawn as SVG with plotters.

mod bar;
mod points;
mod range;
mod scatter;

use crate::error::{ReportError, Result};
use crate::options::RenderOptions;
use crate::text::escape_html;
use plotters::style::{FontDesc, FontFamily, FontStyle, IntoFont};
use synthbio_core::Figure;

/// Smallest figure that leaves room for axes, labels and a legend.
const MIN_SIZE: (u32, u32) = (240, 180);

/// A figure drawn as SVG.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FigureSvg {
    /// The figure's title.
    pub title: String,
    /// SVG markup, starting with `<svg` (no XML declaration), ready to inline in HTML.
    pub svg: String,
    /// Remarks for the caption, such as how many points were not drawn and why.
    pub notes: Vec<String>,
}

/// Draws one figure at the size given in `options`.
///
/// Non-finite values are skipped and counted in [`FigureSvg::notes`]; empty
/// data gives empty axes with a "no data" message. Errors on vectors of
/// different lengths, a size below 240x180 px, or a figure kind this version
/// does not know.
pub fn render_figure_svg(figure: &Figure, options: &RenderOptions) -> Result<FigureSvg> {
    let size = (options.figure_width, options.figure_height);
    if size.0 < MIN_SIZE.0 || size.1 < MIN_SIZE.1 {
        return Err(ReportError::FigureTooSmall {
            width: size.0,
            height: size.1,
            min_width: MIN_SIZE.0,
            min_height: MIN_SIZE.1,
        });
    }
    let (title, drawn) = match figure {
        Figure::Scatter {
            title,
            x_label,
            y_label,
            x,
            y,
            groups,
            marked,
        } => {
            let input = scatter::ScatterInput {
                title,
                x_label,
                y_label,
                x,
                y,
                groups: groups.as_deref(),
                marked,
                marked_label: options.marked_label_for(title),
            };
            (title, scatter::draw(&input, size)?)
        }
        Figure::Bar {
            title,
            y_label,
            labels,
            values,
        } => (title, bar::draw(title, y_label, labels, values, size)?),
        _ => {
            return Err(ReportError::UnsupportedFigure {
                version: env!("CARGO_PKG_VERSION"),
            })
        }
    };
    Ok(FigureSvg {
        title: title.clone(),
        svg: label_svg(&drawn.svg, title),
        notes: drawn.notes,
    })
}

/// What a drawing function returns.
pub(crate) struct Drawn {
    pub svg: String,
    pub notes: Vec<String>,
}

/// Adds an accessible name to the root element and makes it scale with the page.
fn label_svg(svg: &str, title: &str) -> String {
    let attrs = format!(
        "<svg role=\"img\" aria-label=\"{}\" class=\"plot\" ",
        escape_html(title)
    );
    svg.replacen("<svg ", &attrs, 1)
}

/// Plotters writes `font-size = size / 1.24` into SVG: this gives a font of
/// `px` CSS pixels.
pub(crate) fn font(px: f64) -> FontDesc<'static> {
    (FontFamily::SansSerif, px * 1.24).into_font()
}

/// A bold font of `px` CSS pixels.
pub(crate) fn bold(px: f64) -> FontDesc<'static> {
    font(px).style(FontStyle::Bold)
}

/// Rough width in pixels of `text` at `px` in a sans-serif font (average
/// glyph about 0.55 em); only used for layout decisions.
pub(crate) fn text_width(text: &str, px: f64) -> f64 {
    text.chars().count() as f64 * px * 0.55
}

/// Caption font size that fits `title` into `width` pixels (17 px at most, 11 at least).
pub(crate) fn caption_px(title: &str, width: u32) -> f64 {
    let fit = (f64::from(width) - 24.0) / (text_width(title, 1.0).max(1.0));
    fit.clamp(11.0, 17.0)
}

/// `text` cut to `max` characters with an ellipsis.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let keep: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{keep}…")
    }
}

/// Converts a plotters error into [`ReportError::Drawing`].
pub(crate) fn drawing_error<E: std::fmt::Display>(title: &str) -> impl Fn(E) -> ReportError + '_ {
    move |e| ReportError::Drawing {
        title: title.to_string(),
        message: e.to_string(),
    }
}

/// "1 point" / "3 points".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
