//! The marker sex check on real data: 85 GEUVADIS lymphoblastoid cell lines
//! (Lappalainen et al. 2013) with their recorded sex, some labels swapped.
//! `tests/data/make_geuvadis_markers.py` extracted the marker genes' counts and
//! the library sizes, and a numpy reference of the Y-marker levels.

use approx::assert_relative_eq;
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use synthbio_core::{Dataset, MetadataTable};
use synthbio_qc::{check_sex, Agreement, SexCall, SexCheckParams};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");

pub struct Geuvadis {
    pub sample_ids: Vec<String>,
    pub sex: Vec<String>,
    pub lib_size: Vec<u64>,
    pub gene_ids: Vec<String>,
    pub counts: Array2<u32>,
}

pub fn load() -> Geuvadis {
    let text = std::fs::read_to_string(format!("{DATA}geuvadis_sex_markers.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(header[..3], ["sample_id", "sex", "lib_size"]);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    Geuvadis {
        sample_ids: rows.iter().map(|r| r[0].to_string()).collect(),
        sex: rows.iter().map(|r| r[1].to_string()).collect(),
        lib_size: rows.iter().map(|r| r[2].parse().unwrap()).collect(),
        gene_ids: header[3..].iter().map(|s| s.to_string()).collect(),
        counts: Array2::from_shape_fn((rows.len(), header.len() - 3), |(i, j)| {
            rows[i][j + 3].parse().unwrap()
        }),
    }
}

/// Positions of `k` of `n` samples, drawn with a fixed seed.
pub fn swapped_positions(n: usize, k: usize, seed: u64) -> BTreeSet<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rand::seq::index::sample(&mut rng, n, k)
        .into_iter()
        .collect()
}

pub fn swap(sex: &str) -> String {
    match sex {
        "Female" => "Male".into(),
        "Male" => "Female".into(),
        other => panic!("unexpected sex label {other}"),
    }
}

/// Precision and recall of `flagged` against `truth`.
pub fn precision_recall(flagged: &BTreeSet<usize>, truth: &BTreeSet<usize>) -> (f64, f64) {
    let hits = flagged.intersection(truth).count() as f64;
    (
        hits / flagged.len().max(1) as f64,
        hits / truth.len().max(1) as f64,
    )
}

/// The marker genes plus one column holding every other count, so that each
/// sample's total is its real library size.
fn dataset(g: &Geuvadis, claimed: &[String]) -> Dataset {
    let (n, m) = g.counts.dim();
    let counts = Array2::from_shape_fn((n, m + 1), |(i, j)| {
        if j < m {
            g.counts[[i, j]]
        } else {
            let markers: u64 = g.counts.row(i).iter().map(|&c| u64::from(c)).sum();
            u32::try_from(g.lib_size[i] - markers).unwrap()
        }
    });
    let mut genes = g.gene_ids.clone();
    genes.push("all_other_genes".into());
    let mut meta = MetadataTable::new(n);
    meta.set_column("sex", claimed.iter().map(|s| Some(s.clone())).collect())
        .unwrap();
    Dataset::new(counts, genes, g.sample_ids.clone())
        .unwrap()
        .with_metadata(meta)
        .unwrap()
}

#[test]
fn marker_levels_match_numpy() {
    let g = load();
    let data = dataset(&g, &g.sex);
    assert_eq!(data.library_sizes(), g.lib_size);
    let report = check_sex(&data, &SexCheckParams::default()).unwrap();
    let expected =
        std::fs::read_to_string(format!("{DATA}geuvadis_sex_markers_expected.tsv")).unwrap();
    for (line, s) in expected.lines().skip(1).zip(&report.samples) {
        let (id, y) = line.split_once('\t').unwrap();
        assert_eq!(id, s.sample_id);
        assert_relative_eq!(
            s.evidence.y_log2cpm.unwrap(),
            y.parse::<f64>().unwrap(),
            max_relative = 1e-12
        );
    }
    assert_eq!(
        report.markers_used.len(),
        8,
        "XIST is not in these data; 8 of the 9 Y markers are"
    );
    // With the recorded labels, every sample is called and agrees.
    assert_eq!(report.call_counts(), [44, 41, 0]);
    assert!(report
        .samples
        .iter()
        .all(|s| s.claimed_agreement == Agreement::Agrees));
}

#[test]
fn finds_swapped_sex_labels() {
    let g = load();
    let swapped = swapped_positions(g.sample_ids.len(), 8, 20261123);
    let claimed: Vec<String> = g
        .sex
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if swapped.contains(&i) {
                swap(s)
            } else {
                s.clone()
            }
        })
        .collect();
    let report = check_sex(&dataset(&g, &claimed), &SexCheckParams::default()).unwrap();
    let flagged: BTreeSet<usize> = report
        .samples
        .iter()
        .enumerate()
        .filter(|(_, s)| s.flagged())
        .map(|(i, _)| i)
        .collect();
    let (precision, recall) = precision_recall(&flagged, &swapped);
    eprintln!(
        "marker sex check, GEUVADIS, {} of 85 labels swapped: precision {precision:.3}, recall {recall:.3}",
        swapped.len()
    );
    assert_eq!(
        recall,
        1.0,
        "missed swapped samples: {:?}",
        swapped.difference(&flagged).collect::<Vec<_>>()
    );
    assert_eq!(
        precision,
        1.0,
        "false flags: {:?}",
        flagged.difference(&swapped).collect::<Vec<_>>()
    );
    // Every flagged sample is called the sex it really has.
    for &i in &flagged {
        let call = report.samples[i].evidence.call;
        assert_eq!(
            call,
            if g.sex[i] == "Male" {
                SexCall::Male
            } else {
                SexCall::Female
            }
        );
    }
}

/// The GEUVADIS table has no XIST row. Padded with an XIST column of zeros, the check
/// reads "no XIST" as male evidence and every female becomes uncertain; marked
/// unmeasured (as a reader marks a gene the table lacks), XIST is no evidence and the
/// Y markers alone call every sample right, flagging swaps in both directions.
#[test]
fn an_unmeasured_xist_is_no_evidence() {
    let g = load();
    let swapped = swapped_positions(g.sample_ids.len(), 8, 7);
    let claimed: Vec<String> = g
        .sex
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if swapped.contains(&i) {
                swap(s)
            } else {
                s.clone()
            }
        })
        .collect();
    let base = dataset(&g, &claimed);
    let mut genes = base.gene_ids().to_vec();
    genes.push("ENSG00000229807".into()); // XIST
    let (padded, absent) = base.with_gene_order(&genes).unwrap();
    assert_eq!(absent, ["ENSG00000229807"]);
    assert_eq!(padded.unmeasured_genes(), ["ENSG00000229807"]);

    // The same zeros read as a measurement: the failure the mask prevents.
    let as_zero = Dataset::new(
        padded.counts().to_owned(),
        genes.clone(),
        g.sample_ids.clone(),
    )
    .unwrap()
    .with_metadata(padded.metadata().clone())
    .unwrap();
    let wrong = check_sex(&as_zero, &SexCheckParams::default()).unwrap();
    let females = g.sex.iter().filter(|s| *s == "Female").count();
    assert_eq!(wrong.call_counts(), [85 - females, 0, females]);

    let report = check_sex(&padded, &SexCheckParams::default()).unwrap();
    assert_eq!(report.markers_used.len(), 8, "XIST unmeasured is not used");
    for (i, s) in report.samples.iter().enumerate() {
        assert_eq!(s.evidence.xist_log2cpm, None);
        let truth = if g.sex[i] == "Male" {
            SexCall::Male
        } else {
            SexCall::Female
        };
        assert_eq!(s.evidence.call, truth, "sample {}", s.sample_id);
        assert_eq!(s.flagged(), swapped.contains(&i), "sample {}", s.sample_id);
    }
    let directions: BTreeSet<&str> = swapped.iter().map(|&i| g.sex[i].as_str()).collect();
    assert_eq!(directions.len(), 2, "swaps in both directions: {swapped:?}");
}
