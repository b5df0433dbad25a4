//! The HTML page.

use crate::common::{bars, grouped, scatter, section, table};
use synthbio_core::{Cell, Figure, Table};
use synthbio_report::{render_html, render_html_with, RenderOptions};

#[test]
fn one_svg_per_figure_and_a_contents_entry_per_section() {
    let sections = vec![
        section(
            "QC",
            vec![
                scatter(vec![1.0, 2.0], vec![3.0, 4.0]),
                bars(&["a", "b"], vec![1.0, 2.0]),
            ],
            vec![],
        ),
        section(
            "DE",
            vec![scatter(vec![0.5], vec![0.5])],
            vec![("t", table(3))],
        ),
    ];
    let html = render_html("Report", &["Intro.".to_string()], &sections);
    assert_eq!(html.matches("<svg").count(), 3);
    assert_eq!(html.matches("</svg>").count(), 3);
    assert!(html.contains("<a href=\"#s1-qc\">QC</a>"));
    assert!(html.contains("<section id=\"s2-de\">"));
    assert!(html.contains("Figure 3."));
    assert!(html.contains("<p>Intro.</p>"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn nothing_is_fetched_and_nothing_runs() {
    let sections = vec![section("A", vec![scatter(vec![1.0], vec![1.0])], vec![])];
    let html = render_html("Report", &[], &sections);
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"));
    assert!(!lower.contains("<link"));
    assert!(!lower.contains("http://") || !lower.contains("src=\"http"));
    assert!(!lower.contains("https://"));
    assert!(lower.contains("content-security-policy"));
}

#[test]
fn table_rows_are_rendered_and_long_tables_cut() {
    let sections = vec![section(
        "S",
        vec![],
        vec![("short", table(3)), ("long", table(120))],
    )];
    let options = RenderOptions::default().with_max_table_rows(10);
    let html = render_html_with("R", &[], &sections, &options);
    // 3 + 10 body rows, plus 2 header rows.
    assert_eq!(html.matches("<tr>").count(), 15);
    assert!(html.contains("<td>row2</td><td class=\"num\">1</td>"));
    assert!(html.contains("<td>row9</td>"));
    assert!(!html.contains("<td>row10</td>"));
    assert!(html.contains("Showing the first 10 of 120 rows"));
    assert!(html.contains("TSV"));
}

#[test]
fn special_characters_cannot_inject_markup() {
    let evil = "<script>alert('x')</script>";
    let mut t = Table::new([evil, "n"]);
    t.push(vec![evil.into(), Cell::Int(1)]);
    let fig = Figure::Scatter {
        title: evil.into(),
        x_label: evil.into(),
        y_label: "y & \"z\"".into(),
        x: vec![1.0, 2.0],
        y: vec![1.0, 2.0],
        groups: Some(vec![evil.into(), "ok".into()]),
        marked: vec![true, false],
    };
    let bar = Figure::Bar {
        title: "b".into(),
        y_label: evil.into(),
        labels: vec![evil.into()],
        values: vec![1.0],
    };
    let mut s = section(evil, vec![fig, bar], vec![(evil, t)]);
    s.paragraphs.push(evil.into());
    let options = RenderOptions::default()
        .with_subtitle(evil)
        .with_marked_label(evil);
    let html = render_html_with(evil, &[evil.to_string()], &[s], &options);
    assert!(!html.contains("<script"), "raw <script> in output");
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("y &amp; &quot;z&quot;"));
}

#[test]
fn bad_figures_become_visible_errors() {
    let bad = scatter(vec![1.0, 2.0], vec![1.0]);
    let sections = vec![section(
        "S",
        vec![bad, scatter(vec![1.0], vec![1.0])],
        vec![],
    )];
    let html = render_html("R", &[], &sections);
    assert!(html.contains("could not be drawn"));
    assert!(html.contains("field `y` has 1 entries but `x` has 2"));
    assert_eq!(html.matches("<svg").count(), 1);
}

#[test]
fn skipped_points_are_noted_in_the_caption() {
    let fig = grouped(
        vec![1.0, f64::NAN, 3.0, 4.0],
        vec![1.0, 2.0, f64::NEG_INFINITY, 4.0],
        &["a", "a", "b", "b"],
        vec![false; 4],
    );
    let html = render_html("R", &[], &[section("S", vec![fig], vec![])]);
    assert!(html.contains("2 points of 4 not drawn: x or y is NaN or infinite."));
}

#[test]
fn empty_report_and_empty_table_render() {
    let html = render_html("R", &[], &[]);
    assert!(html.contains("no sections"));
    assert_eq!(html.matches("<svg").count(), 0);
    let html = render_html("R", &[], &[section("S", vec![], vec![("t", table(0))])]);
    assert!(html.contains("The table is empty."));
}

#[test]
fn numeric_columns_are_right_aligned_and_numbers_shortened() {
    let mut t = Table::new(["gene", "p"]);
    t.push(vec!["g1".into(), 1.234_567e-12.into()]);
    t.push(vec!["g2".into(), Cell::Empty]);
    t.push(vec!["g3".into(), f64::NAN.into()]);
    let html = render_html("R", &[], &[section("S", vec![], vec![("t", t)])]);
    assert!(html.contains("<th class=\"num\">p</th>"));
    assert!(html.contains("<td class=\"num\">1.235e-12</td>"));
    assert!(html.contains("<td class=\"num\">NaN</td>"));
    assert!(html.contains("<th>gene</th>"));
}
