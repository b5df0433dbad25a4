//! SVG figures.

use crate::common::{bars, dots, grouped, scatter};
use proptest::prelude::*;
use synthbio_core::Figure;
use synthbio_report::{render_figure_svg, RenderOptions, ReportError};

fn draw(fig: &Figure) -> synthbio_report::FigureSvg {
    render_figure_svg(fig, &RenderOptions::default()).expect("figure draws")
}

#[test]
fn every_finite_point_is_drawn_once_and_marked_ones_outlined() {
    // Points far apart, so none share a pixel.
    let x = vec![0.0, 10.0, 20.0, 30.0, 40.0];
    let y = vec![0.0, 40.0, 10.0, 30.0, 20.0];
    let fig = grouped(
        x,
        y,
        &["a", "b", "a", "b", "c"],
        vec![false, true, false, false, true],
    );
    let svg = draw(&fig).svg;
    // 3 unmarked dots, 2 dark outlines and 2 coloured centres.
    assert_eq!(dots(&svg), 3 + 2 + 2);
    assert!(svg.contains("stroke=\"#222222\""), "outline colour missing");
    for label in ["a (2)", "b (2)", "c (1)", "marked (2)"] {
        assert!(svg.contains(label), "legend lacks {label}");
    }
}

#[test]
fn marked_label_is_configurable_per_title() {
    let fig = Figure::Scatter {
        title: "Volcano plot".into(),
        x_label: "log2FC".into(),
        y_label: "-log10 p".into(),
        x: vec![1.0, 2.0],
        y: vec![1.0, 2.0],
        groups: None,
        marked: vec![true, false],
    };
    let options = RenderOptions::default()
        .with_marked_label("flagged")
        .with_marked_label_for("Volcano", "significant");
    let svg = render_figure_svg(&fig, &options).expect("draws").svg;
    assert!(svg.contains("significant (1)"));
    assert!(svg.contains("not significant (1)"));
}

#[test]
fn dots_lie_inside_the_figure() {
    let x = vec![-1e6, 0.0, 1e6];
    let y = vec![5.0, -5.0, 0.0];
    let svg = draw(&scatter(x, y)).svg;
    let d = svg.split("d=\"").nth(1).expect("a point path");
    let d = &d[..d.find('"').expect("closing quote")];
    for point in d.split('M').filter(|p| !p.is_empty()) {
        let coords: Vec<i32> = point
            .trim_end_matches("h0")
            .split(' ')
            .map(|v| v.parse().expect("integer pixel"))
            .collect();
        let (px, py) = (coords[0], coords[1]);
        assert!(
            (0..760).contains(&px) && (0..500).contains(&py),
            "{px},{py} outside"
        );
    }
}

#[test]
fn non_finite_values_are_skipped_and_counted() {
    let fig = scatter(
        vec![1.0, f64::NAN, 2.0, f64::INFINITY, 3.0],
        vec![1.0, 1.0, f64::NAN, 1.0, 2.0],
    );
    let out = draw(&fig);
    assert_eq!(dots(&out.svg), 2);
    assert_eq!(
        out.notes,
        vec!["3 points of 5 not drawn: x or y is NaN or infinite."]
    );

    let out = draw(&bars(&["PC1", "PC2", "PC3"], vec![2.0, f64::NAN, 1.0]));
    assert_eq!(
        out.svg.matches("<rect").count() - 1,
        2,
        "one background, two bars"
    );
    assert_eq!(
        out.notes,
        vec!["1 bar of 3 not drawn (NaN or infinite): \"PC2\"."]
    );
}

#[test]
fn edge_cases_draw_without_error() {
    let cases = vec![
        scatter(vec![], vec![]),
        scatter(vec![f64::NAN], vec![f64::NAN]),
        scatter(vec![3.0], vec![-2.0]),
        scatter(vec![7.0; 50], vec![7.0; 50]),
        scatter(vec![0.0, 0.0], vec![0.0, 0.0]),
        scatter(vec![-f64::MAX, f64::MAX], vec![f64::MIN_POSITIVE, 1e-300]),
        scatter(vec![f64::MIN_POSITIVE, 1e-300], vec![0.0, 5e-324]),
        scatter(vec![1e15, 1e15 + 0.125], vec![-1e99, 1e99]),
        scatter(vec![1e300, 1.0, 2.0], vec![1.0, 1.0, 2.0]),
        bars(&["tiny", "zero"], vec![1e-250, 0.0]),
        bars(&["big", "small"], vec![-1e100, 1e-100]),
        bars(&[], vec![]),
        bars(&["only"], vec![0.0]),
        bars(&["neg", "pos"], vec![-3.0, 2.0]),
        bars(&["nan"], vec![f64::NAN]),
    ];
    for fig in &cases {
        let out = render_figure_svg(fig, &RenderOptions::default())
            .unwrap_or_else(|e| panic!("{fig:?}: {e}"));
        assert!(out.svg.starts_with("<svg"), "{fig:?}");
        assert!(out.svg.trim_end().ends_with("</svg>"), "{fig:?}");
    }
    assert!(draw(&scatter(vec![], vec![])).svg.contains("no data"));
    assert!(draw(&scatter(vec![f64::NAN], vec![1.0]))
        .svg
        .contains("no finite points to show"));
    assert_eq!(dots(&draw(&scatter(vec![3.0], vec![-2.0])).svg), 1);
    let huge = draw(&scatter(vec![1e300, 1.0, 2.0], vec![1.0, 1.0, 2.0]));
    assert_eq!(dots(&huge.svg), 2);
    assert_eq!(
        huge.notes,
        vec!["1 point of 3 not drawn: x or y is NaN, infinite or beyond ±1e100."]
    );
}

#[test]
fn bar_labels_stand_upright_when_they_do_not_fit() {
    let short = draw(&bars(&["PC1", "PC2"], vec![60.0, 25.5]));
    // The y axis title is the one upright text of a chart with short labels.
    assert_eq!(short.svg.matches("rotate(270").count(), 1);
    assert!(short.svg.contains(">\nPC1\n</text>"), "horizontal label");
    assert!(short.svg.contains("25.5"), "value labels on few bars");

    let names: Vec<String> = (0..40)
        .map(|i| format!("sample_with_a_long_name_{i}"))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let long = draw(&bars(&refs, (0..40).map(f64::from).collect()));
    assert_eq!(long.svg.matches("rotate(270").count(), 1 + 40);
    assert!(
        long.svg.contains("sample_with_a_long_…"),
        "labels cut to 20 characters"
    );

    let many: Vec<String> = (0..400).map(|i| format!("g{i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let dense = draw(&bars(&refs, vec![1.0; 400]));
    let shown = dense.svg.matches("rotate(270").count() - 1;
    assert!(shown > 10 && shown < 400, "{shown} labels of 400");
}

#[test]
fn many_groups_share_an_other_colour() {
    let names: Vec<String> = (0..12).map(|i| format!("g{i:02}")).collect();
    let n = names.len();
    let fig = Figure::Scatter {
        title: "many".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        x: (0..n).map(|i| i as f64).collect(),
        y: (0..n).map(|i| (i * i) as f64).collect(),
        groups: Some(names),
        marked: vec![],
    };
    let svg = draw(&fig).svg;
    assert!(svg.contains("other (5 groups) (5)"));
    assert!(svg.contains("g00 (1)"));
}

#[test]
fn a_volcano_of_twenty_thousand_genes_stays_small() {
    let n = 20_000;
    // Deterministic spread of points over the plane.
    let x: Vec<f64> = (0..n)
        .map(|i| ((i * 7919) % 1000) as f64 / 100.0 - 5.0)
        .collect();
    let y: Vec<f64> = (0..n)
        .map(|i| ((i * 104_729) % 997) as f64 / 50.0)
        .collect();
    let marked: Vec<bool> = x
        .iter()
        .zip(&y)
        .map(|(a, b)| a.abs() > 3.0 && *b > 10.0)
        .collect();
    let fig = Figure::Scatter {
        title: "volcano".into(),
        x_label: "log2FC".into(),
        y_label: "-log10 p".into(),
        x,
        y,
        groups: None,
        marked,
    };
    let svg = draw(&fig).svg;
    assert!(svg.len() < 400_000, "SVG is {} bytes", svg.len());
    assert!(dots(&svg) > 1000);
}

#[test]
fn wrong_lengths_and_sizes_are_errors() {
    let fig = grouped(vec![1.0, 2.0], vec![1.0, 2.0], &["a"], vec![]);
    assert!(matches!(
        render_figure_svg(&fig, &RenderOptions::default()),
        Err(ReportError::LengthMismatch {
            field: "groups",
            found: 1,
            expected: 2,
            ..
        })
    ));
    let fig = grouped(vec![1.0], vec![1.0], &["a"], vec![true, false]);
    assert!(matches!(
        render_figure_svg(&fig, &RenderOptions::default()),
        Err(ReportError::LengthMismatch {
            field: "marked",
            ..
        })
    ));
    let fig = bars(&["a", "b"], vec![1.0]);
    assert!(matches!(
        render_figure_svg(&fig, &RenderOptions::default()),
        Err(ReportError::LengthMismatch {
            field: "values",
            ..
        })
    ));
    let small = RenderOptions::default().with_figure_size(100, 100);
    assert!(matches!(
        render_figure_svg(&bars(&["a"], vec![1.0]), &small),
        Err(ReportError::FigureTooSmall { .. })
    ));
}

fn drawable(v: f64) -> bool {
    v.is_finite() && v.abs() <= 1e100
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e3..1e3_f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
        1 => prop::num::f64::NORMAL,
        1 => prop::num::f64::POSITIVE | prop::num::f64::SUBNORMAL,
        1 => (0.0..1e-3_f64).prop_map(|d| 1e12 + d),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_values_draw(points in prop::collection::vec((value(), value(), 0..4usize, any::<bool>()), 0..40)) {
        let x = points.iter().map(|p| p.0).collect::<Vec<_>>();
        let y = points.iter().map(|p| p.1).collect::<Vec<_>>();
        let groups = points.iter().map(|p| format!("g{}", p.2)).collect::<Vec<_>>();
        let marked = points.iter().map(|p| p.3).collect::<Vec<_>>();
        let finite = points.iter().filter(|p| drawable(p.0) && drawable(p.1)).count();
        let fig = Figure::Scatter {
            title: "p".into(), x_label: "x".into(), y_label: "y".into(),
            x: x.clone(), y, groups: Some(groups), marked,
        };
        let out = render_figure_svg(&fig, &RenderOptions::default()).expect("draws");
        prop_assert!(dots(&out.svg) <= finite + 2 * points.iter().filter(|p| p.3).count());
        prop_assert_eq!(out.notes.is_empty(), finite == points.len());
        let labels = (0..x.len()).map(|i| format!("b{i}")).collect::<Vec<_>>();
        let fig = Figure::Bar { title: "b".into(), y_label: "v".into(), labels, values: x };
        prop_assert!(render_figure_svg(&fig, &RenderOptions::default()).is_ok());
    }
}
