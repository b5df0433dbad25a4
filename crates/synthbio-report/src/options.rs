//! Rendering options.

/// How a report is rendered. `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RenderOptions {
    /// A line under the title (for example the data set and model); none by default.
    /// Reports carry no date so that the same input gives the same file.
    pub subtitle: Option<String>,
    /// Rows shown per table in the HTML (default 25); longer tables are cut
    /// with a note pointing to the full TSV.
    pub max_table_rows: usize,
    /// Figure width in pixels (default 760).
    pub figure_width: u32,
    /// Figure height in pixels (default 500).
    pub figure_height: u32,
    /// Legend label of marked points in scatter plots (default `"marked"`;
    /// for example `"flagged"` for QC or `"significant"` for volcano plots).
    pub marked_label: String,
    /// Per-figure legend labels of marked points: `(text in the figure title,
    /// label)`, first match wins, [`RenderOptions::marked_label`] otherwise.
    /// Empty by default.
    pub marked_labels: Vec<(String, String)>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            subtitle: None,
            max_table_rows: 25,
            figure_width: 760,
            figure_height: 500,
            marked_label: "marked".to_string(),
            marked_labels: Vec::new(),
        }
    }
}

impl RenderOptions {
    /// Sets the subtitle.
    pub fn with_subtitle(mut self, subtitle: impl Into<String>) -> Self {
        self.subtitle = Some(subtitle.into());
        self
    }

    /// Sets the number of table rows shown in the HTML.
    pub fn with_max_table_rows(mut self, rows: usize) -> Self {
        self.max_table_rows = rows;
        self
    }

    /// Sets the figure size in pixels.
    pub fn with_figure_size(mut self, width: u32, height: u32) -> Self {
        self.figure_width = width;
        self.figure_height = height;
        self
    }

    /// Sets the legend label of marked points.
    pub fn with_marked_label(mut self, label: impl Into<String>) -> Self {
        self.marked_label = label.into();
        self
    }

    /// Uses `label` for marked points in figures whose title contains
    /// `title_contains` (for example `("Volcano", "significant")`).
    pub fn with_marked_label_for(
        mut self,
        title_contains: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        self.marked_labels
            .push((title_contains.into(), label.into()));
        self
    }

    /// The legend label of marked points in the figure titled `title`.
    pub fn marked_label_for(&self, title: &str) -> &str {
        self.marked_labels
            .iter()
            .find(|(needle, _)| title.contains(needle.as_str()))
            .map_or(self.marked_label.as_str(), |(_, label)| label.as_str())
    }
}
