//! How QC results show themselves: tables of suspects and evidence, figures as data.

use crate::analysis::{Outcome, QcOutput};
use crate::labels::{LabelReport, LabelStatus};
use crate::sex::SexCheckReport;
use synthbio_core::{Cell, Figure, Report, ReportSection, Table};

const COLUMNS: [&str; 12] = [
    "check",
    "sample_id",
    "field",
    "claimed",
    "called",
    "p_claimed",
    "p_called",
    "score",
    "y_log2cpm",
    "xist_log2cpm",
    "status",
    "flagged",
];

fn flag(b: bool) -> Cell {
    if b { "yes" } else { "no" }.into()
}

impl LabelReport {
    /// One row per checked sample and field (`check` = `model`; `called` is the
    /// predicted label, `score` = ln(p_called / p_claimed)).
    pub fn table(&self) -> Table {
        let mut t = Table::new(COLUMNS);
        for c in &self.checks {
            t.push(vec![
                "model".into(),
                c.sample_id.as_str().into(),
                c.field.as_str().into(),
                c.claimed.as_str().into(),
                c.predicted.as_str().into(),
                c.p_claimed.into(),
                c.p_predicted.into(),
                c.score.into(),
                Cell::Empty,
                Cell::Empty,
                c.status.as_str().into(),
                flag(c.status == LabelStatus::Suspect),
            ]);
        }
        t
    }

    fn suspects_table(&self) -> Table {
        let mut t = Table::new([
            "sample_id",
            "field",
            "claimed",
            "p_claimed",
            "predicted",
            "p_predicted",
            "score",
        ]);
        for c in self.suspects() {
            t.push(vec![
                c.sample_id.as_str().into(),
                c.field.as_str().into(),
                c.claimed.as_str().into(),
                c.p_claimed.into(),
                c.predicted.as_str().into(),
                c.p_predicted.into(),
                c.score.into(),
            ]);
        }
        t
    }

    fn fields_table(&self) -> Table {
        let mut t = Table::new([
            "field",
            "labeled",
            "unlabeled",
            "suspect",
            "unknown_to_model",
            "unknown_labels",
        ]);
        for f in &self.fields {
            t.push(vec![
                f.field.as_str().into(),
                f.n_labeled.into(),
                f.n_unlabeled.into(),
                f.n_suspect.into(),
                f.n_unknown_to_model.into(),
                f.unknown_labels.join(", ").into(),
            ]);
        }
        t
    }
}

impl SexCheckReport {
    /// One row per sample (`check` = `sex_markers`; `called` is the marker call,
    /// `status` the agreement of the claimed sex with it).
    pub fn table(&self) -> Table {
        let mut t = Table::new(COLUMNS);
        for s in &self.samples {
            t.push(vec![
                "sex_markers".into(),
                s.sample_id.as_str().into(),
                self.params.field.as_str().into(),
                s.claimed.clone().into(),
                s.evidence.call.as_str().into(),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                s.evidence.y_log2cpm.into(),
                s.evidence.xist_log2cpm.into(),
                s.claimed_agreement.as_str().into(),
                flag(s.flagged()),
            ]);
        }
        t
    }

    fn samples_table(&self) -> Table {
        let mut t = Table::new([
            "sample_id",
            "y_log2cpm",
            "xist_log2cpm",
            "call",
            "claimed",
            "claimed_agreement",
            "predicted",
            "predicted_agreement",
        ]);
        for s in &self.samples {
            t.push(vec![
                s.sample_id.as_str().into(),
                s.evidence.y_log2cpm.into(),
                s.evidence.xist_log2cpm.into(),
                s.evidence.call.as_str().into(),
                s.claimed.clone().into(),
                s.claimed_agreement.as_str().into(),
                s.predicted.clone().into(),
                s.predicted_agreement.as_str().into(),
            ]);
        }
        t
    }

    fn figure(&self) -> Figure {
        let y: Vec<Option<f64>> = self.samples.iter().map(|s| s.evidence.y_log2cpm).collect();
        let xist: Vec<Option<f64>> = self
            .samples
            .iter()
            .map(|s| s.evidence.xist_log2cpm)
            .collect();
        let index = || {
            (0..self.samples.len())
                .map(|i| i as f64)
                .collect::<Vec<_>>()
        };
        let values = |v: &[Option<f64>]| v.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
        let (x, x_label, y, y_label) = match (
            y.iter().any(Option::is_some),
            xist.iter().any(Option::is_some),
        ) {
            (true, true) => (
                values(&xist),
                "XIST log2(CPM + 1)",
                values(&y),
                "mean Y-marker log2(CPM + 1)",
            ),
            (true, false) => (index(), "sample", values(&y), "mean Y-marker log2(CPM + 1)"),
            _ => (index(), "sample", values(&xist), "XIST log2(CPM + 1)"),
        };
        Figure::Scatter {
            title: "Sex marker expression (flagged: claimed sex contradicted)".into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            x,
            y,
            groups: Some(
                self.samples
                    .iter()
                    .map(|s| s.claimed.clone().unwrap_or_default())
                    .collect(),
            ),
            marked: self.samples.iter().map(|s| s.flagged()).collect(),
        }
    }

    fn summary(&self) -> String {
        let [male, female, uncertain] = self.call_counts();
        let agree = |f: fn(&crate::sex::SexCheckSample) -> crate::sex::Agreement, a| {
            self.samples.iter().filter(|s| f(s) == a).count()
        };
        use crate::sex::Agreement::{Agrees, Disagrees};
        let mut text = format!(
            "Sex from marker genes ({}): {male} male, {female} female, {uncertain} uncertain. \
             Claimed sex agrees for {} and is contradicted for {} sample(s).",
            self.markers_used.join(", "),
            agree(|s| s.claimed_agreement, Agrees),
            agree(|s| s.claimed_agreement, Disagrees),
        );
        if let Some(source) = &self.predicted_source {
            text.push_str(&format!(
                " Predicted sex ({source}) agrees for {} and disagrees for {}.",
                agree(|s| s.predicted_agreement, Agrees),
                agree(|s| s.predicted_agreement, Disagrees),
            ));
        }
        text
    }
}

impl Report for QcOutput {
    /// Both checks in one long table, one row per sample and check (and field).
    fn table(&self) -> Table {
        let mut t = Table::new(COLUMNS);
        if let Some(l) = self.labels.ran() {
            t.rows.extend(l.table().rows);
        }
        if let Some(s) = self.sex.ran() {
            t.rows.extend(s.table().rows);
        }
        t
    }

    fn section(&self) -> ReportSection {
        let mut section = ReportSection {
            title: "Sample QC".into(),
            ..ReportSection::default()
        };
        match &self.labels {
            Outcome::Ran(l) => {
                for f in &l.fields {
                    section.paragraphs.push(format!(
                        "Label check, {}: {} of {} labeled samples suspect (ln(p_predicted / p_claimed) >= {:.3} \
                         and p_claimed <= {}){}.",
                        f.field,
                        f.n_suspect,
                        f.n_labeled,
                        l.params.min_log_ratio,
                        l.params.max_claimed_prob,
                        if f.unknown_labels.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "; {} sample(s) carry labels the model does not know: {}",
                                f.n_unknown_to_model,
                                f.unknown_labels.join(", ")
                            )
                        }
                    ));
                }
                section.tables.push((
                    "Suspect labels, most suspect first".into(),
                    l.suspects_table(),
                ));
                section
                    .tables
                    .push(("Label check per field".into(), l.fields_table()));
                section.figures.push(Figure::Bar {
                    title: "Suspect labels per field".into(),
                    y_label: "samples".into(),
                    labels: l.fields.iter().map(|f| f.field.clone()).collect(),
                    values: l.fields.iter().map(|f| f.n_suspect as f64).collect(),
                });
            }
            Outcome::Skipped(reason) => section
                .paragraphs
                .push(format!("Label check skipped: {reason}")),
            Outcome::Off => section.paragraphs.push("Label check turned off.".into()),
        }
        match &self.sex {
            Outcome::Ran(s) => {
                section.paragraphs.push(s.summary());
                section
                    .tables
                    .push(("Sex check by marker genes".into(), s.samples_table()));
                section.figures.push(s.figure());
            }
            Outcome::Skipped(reason) => section
                .paragraphs
                .push(format!("Sex check skipped: {reason}")),
            Outcome::Off => section.paragraphs.push("Sex check turned off.".into()),
        }
        section
    }
}
