//! Scatter points as compact SVG paths.
//!
//! Written by hand rather than with plotters' `Circle`: plotters writes one
//! `<circle>` element of about 90 bytes per point, so a volcano plot of
//! 20,000 genes alone would weigh close to 2 MB. Here every point is a
//! zero-length, round-capped segment (`M x y h0`, about 10 bytes) in one
//! `<path>` per style, and points that land on the same pixel are written once.

use crate::palette::hex;
use plotters::style::RGBColor;
use std::fmt::Write as _;

/// A set of point paths, drawn in the order they were added.
#[derive(Default)]
pub struct PointLayer {
    paths: String,
}

impl PointLayer {
    /// Adds dots of `diameter` px at the given pixel positions (duplicates are drawn once).
    pub fn add(&mut self, pixels: &[(i32, i32)], colour: RGBColor, diameter: f64, opacity: f64) {
        let mut unique = pixels.to_vec();
        unique.sort_unstable();
        unique.dedup();
        if unique.is_empty() {
            return;
        }
        let _ = write!(
            self.paths,
            "<path stroke=\"{}\" stroke-width=\"{diameter}\"",
            hex(colour)
        );
        if opacity < 1.0 {
            let _ = write!(self.paths, " stroke-opacity=\"{opacity}\"");
        }
        self.paths.push_str(" d=\"");
        for (x, y) in unique {
            let _ = write!(self.paths, "M{x} {y}h0");
        }
        self.paths.push_str("\"/>\n");
    }

    /// Inserts the layer as the last element of `svg` (on top of everything).
    pub fn insert_into(&self, svg: &mut String) {
        if self.paths.is_empty() {
            return;
        }
        let group = format!(
            "<g fill=\"none\" stroke-linecap=\"round\" class=\"points\">\n{}</g>\n",
            self.paths
        );
        match svg.rfind("</svg>") {
            Some(at) => svg.insert_str(at, &group),
            None => svg.push_str(&group),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_written_once() {
        let mut layer = PointLayer::default();
        layer.add(&[(3, 4), (1, 2), (3, 4)], RGBColor(0, 0x72, 0xB2), 6.0, 0.5);
        let mut svg = "<svg></svg>".to_string();
        layer.insert_into(&mut svg);
        assert!(svg.contains("d=\"M1 2h0M3 4h0\""), "{svg}");
        assert!(svg.contains("stroke=\"#0072B2\""));
        assert!(svg.contains("stroke-opacity=\"0.5\""));
        assert!(svg.ends_with("</g>\n</svg>"));
    }
}
