//! Colour-blind friendly colours (Okabe & Ito, "Color Universal Design", 2008).

use plotters::style::RGBColor;

/// Okabe-Ito colours in the order groups get them: blue, orange, bluish
/// green, vermillion, reddish purple, sky blue, yellow (faint on white, so last).
pub const GROUP_COLOURS: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xF0, 0xE4, 0x42),
];

/// Points without a group colour of their own ("other", "not marked").
pub const MUTED: RGBColor = RGBColor(0xA6, 0xA6, 0xA6);
/// Marked points when there are no groups (Okabe-Ito vermillion).
pub const HIGHLIGHT: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Outlines of marked points, axes and text.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Axis tick labels and axis lines.
pub const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xE8, 0xE8, 0xE8);

/// `#RRGGBB` of a colour, for hand-written SVG attributes.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}
