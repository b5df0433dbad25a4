//! Sex marker genes and how they are found among a dataset's gene ids.
//!
//! Ensembl ids, symbols and chromosomes were read from Bioconductor's
//! org.Hs.eg.db 3.16.0 (Debian package r-bioc-org.hs.eg.db 3.16.0-1; Ensembl
//! ids as of 2022-06-28), tables `gene_info`, `ensembl`, `chromosomes`.
//! The Y genes are broadly expressed genes of the male-specific region of Y;
//! XIST is expressed from the inactive X, so in female cells only.

use serde::{Deserialize, Serialize};

/// A marker gene.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    /// HGNC symbol.
    pub symbol: &'static str,
    /// Ensembl gene id (no version).
    pub ensembl_id: &'static str,
    /// Chromosome.
    pub chromosome: &'static str,
}

/// XIST, expressed in female cells.
pub const XIST: Marker = Marker {
    symbol: "XIST",
    ensembl_id: "ENSG00000229807",
    chromosome: "X",
};

/// Y-chromosome genes expressed in male cells.
pub const Y_MARKERS: [Marker; 9] = [
    y("RPS4Y1", "ENSG00000129824"),
    y("DDX3Y", "ENSG00000067048"),
    y("KDM5D", "ENSG00000012817"),
    y("UTY", "ENSG00000183878"),
    y("EIF1AY", "ENSG00000198692"),
    y("USP9Y", "ENSG00000114374"),
    y("ZFY", "ENSG00000067646"),
    y("NLGN4Y", "ENSG00000165246"),
    y("TXLNGY", "ENSG00000131002"),
];

const fn y(symbol: &'static str, ensembl_id: &'static str) -> Marker {
    Marker {
        symbol,
        ensembl_id,
        chromosome: "Y",
    }
}

impl Marker {
    /// True when a gene id names this marker: its Ensembl id (a version suffix
    /// such as `.12` is ignored) or its symbol (ignoring ASCII case).
    pub fn matches(&self, gene_id: &str) -> bool {
        let gene_id = gene_id.trim();
        let unversioned = match gene_id.split_once('.') {
            Some((base, version))
                if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) =>
            {
                base
            }
            _ => gene_id,
        };
        unversioned == self.ensembl_id || gene_id.eq_ignore_ascii_case(self.symbol)
    }

    /// The first position of this marker among `gene_ids`.
    pub fn find(&self, gene_ids: &[String]) -> Option<usize> {
        gene_ids.iter().position(|g| self.matches(g))
    }
}

/// Every marker as `SYMBOL (ENSG...)`, for messages.
pub fn describe_all() -> String {
    std::iter::once(&XIST)
        .chain(&Y_MARKERS)
        .map(|m| format!("{} ({})", m.symbol, m.ensembl_id))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_with_versions_and_symbols_match() {
        assert!(XIST.matches("ENSG00000229807"));
        assert!(XIST.matches("ENSG00000229807.13"));
        assert!(XIST.matches("xist"));
        assert!(!XIST.matches("ENSG00000229807.x"));
        assert!(!XIST.matches("ENSG0000022980"));
        let ids = vec!["ENSG1".to_string(), "ENSG00000129824.16".to_string()];
        assert_eq!(Y_MARKERS[0].find(&ids), Some(1));
        assert_eq!(Y_MARKERS[1].find(&ids), None);
        assert!(describe_all().starts_with("XIST (ENSG00000229807), RPS4Y1 (ENSG00000129824)"));
    }
}
