//! Fitting the sex head (see `sex_head`) on the labelled training samples,
//! each donor weighing one.

use super::prep::Prepared;
use crate::params::SexHead;
use crate::sex_head::{fit, marker_genes, Observation};
use std::collections::BTreeMap;

/// The sex head of the training samples; `None` when the schema has no
/// `female` and `male` or no marker separates them.
pub(crate) fn fit_sex_head(p: &Prepared<'_>) -> Option<SexHead> {
    let key = p.schema.key_index("sex")?;
    let levels = [p.schema.level(key, "female")?, p.schema.level(key, "male")?];
    let (y_genes, xist) = marker_genes(&p.raw.gene_ids);
    let labelled: Vec<(usize, bool)> = (0..p.n())
        .filter_map(|i| {
            let l = p.codes[i][key]?;
            levels.contains(&l).then_some((i, l == levels[1]))
        })
        .collect();
    let mut per_donor: BTreeMap<usize, f64> = BTreeMap::new();
    for &(i, _) in &labelled {
        *per_donor.entry(p.cv_group[i]).or_insert(0.0) += 1.0;
    }
    let obs: Vec<Observation> = labelled
        .iter()
        .map(|&(i, male)| Observation {
            y: y_genes.iter().map(|&j| p.level(i, j as usize)).collect(),
            xist: xist.and_then(|j| p.level(i, j as usize)),
            male,
            weight: 1.0 / per_donor[&p.cv_group[i]],
        })
        .collect();
    fit(key as u16, levels, (&y_genes, xist), &obs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read_bulk;
    use std::path::Path;

    /// The head fitted on the shipped bulk data against scikit-learn
    /// (`tests/golden/make_sex_golden.py`).
    #[test]
    fn the_head_matches_scikit_learn() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let raw = read_bulk(&root.join("../../data")).unwrap();
        let p = Prepared::new(&raw, 1e6, None).unwrap();
        let head = fit_sex_head(&p).expect("the bulk data separate the sexes");
        let golden = std::fs::read_to_string(root.join("tests/golden/sex_head.tsv")).unwrap();
        let close = |a: f64, b: f64, rel: f64| (a - b).abs() <= rel * b.abs().max(1.0);
        let (mut markers, mut models) = (0, 0);
        for line in golden.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            let values: Vec<f64> = f[2..]
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| v.parse().unwrap())
                .collect();
            match f[0] {
                "marker" => {
                    markers += 1;
                    let j = raw.gene_ids.iter().position(|g| g == f[1]).unwrap() as u32;
                    let m = head
                        .y_markers
                        .iter()
                        .chain(&head.xist)
                        .find(|m| m.gene == j)
                        .unwrap_or_else(|| panic!("marker {} not used", f[1]));
                    assert!(close(m.female, values[0], 1e-9), "{}: {}", f[1], m.female);
                    assert!(close(m.male, values[1], 1e-9), "{}: {}", f[1], m.male);
                }
                "logistic" => {
                    models += 1;
                    let fitted = match f[1] {
                        "y" => &head.on_y,
                        "y,x" => &head.on_y_xist,
                        _ => &head.on_xist,
                    };
                    let coef = &fitted.as_ref().expect("fitted").coef;
                    assert_eq!(coef.len(), values.len());
                    for (a, b) in coef.iter().zip(&values) {
                        assert!(close(*a, *b, 1e-5), "{}: {coef:?} vs {values:?}", f[1]);
                    }
                }
                other => panic!("unknown row {other}"),
            }
        }
        assert_eq!(
            markers,
            head.y_markers.len() + usize::from(head.xist.is_some())
        );
        assert_eq!(models, 3);
    }
}
