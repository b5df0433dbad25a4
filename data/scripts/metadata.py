"""Protocol metadata of every bulk sample and single-cell cell, and ontology.tsv.

Every value here is a fact looked up in a named source (see ONTOLOGY and
data/SOURCE.md); an empty string means "unknown / not verified". The
prepare script checks that every ontology-style value used in a sample or
cell table appears in ONTOLOGY with a label and a source.
"""

from __future__ import annotations

import pandas as pd

BULK_SAMPLE_COLUMNS = [
    "sample_id",
    "dataset",
    "donor",
    "replicate_kind",
    "sex",
    "sample_type",
    "tissue_ontology_id",
    "cell_line_ontology_id",
    "cell_type_ontology_id",
    "disease_ontology_id",
    "perturbation_type",
    "perturbation_ontology_id",
    "perturbation_dose",
    "perturbation_time",
    "study",
    "library_layout",
    "library_selection",
    "platform",
]

# Metadata columns of bulk samples (after the ids).
BULK_PROTOCOL_COLUMNS = BULK_SAMPLE_COLUMNS[4:]
# Metadata columns of single cells: the bulk ones without disease_ontology_id
# (the single-cell carrier has no per-cell or per-donor disease; sc/cells.tsv
# keeps its columns).
PROTOCOL_COLUMNS = [c for c in BULK_PROTOCOL_COLUMNS if c != "disease_ontology_id"]

# Ontology-style columns whose values must be listed in ontology.tsv.
ONTOLOGY_COLUMNS = [
    "tissue_ontology_id",
    "cell_line_ontology_id",
    "cell_type_ontology_id",
    "disease_ontology_id",
    "perturbation_ontology_id",
    "study",
]

# Sources quoted in the ontology table (key, value, label, source).
_UBERON_IMMUNE = "UBERON repository obophenotype/uberon, file subsets/immune-minimal.tsv (ID, label)"
_UBERON_PULM = "UBERON repository obophenotype/uberon, file subsets/pulmonary-minimal.tsv (IRI, label)"
_UBERON_EFO = "UBERON repository obophenotype/uberon, file subsets/efo-slim.tsv (IRI, label)"
_UBERON_MUSC = "UBERON repository obophenotype/uberon, file subsets/musculoskeletal-minimal.tsv (ID, label)"

ONTOLOGY = [
    # --- studies (BioProject / ENA project accessions) ---
    ("study", "PRJNA229998", "Himes et al. 2014 airway smooth muscle RNA-seq (GEO GSE52778, SRA SRP033351)",
     "GEO GSE52778 = SRA SRP033351 = BioProject PRJNA229998, as cross-listed in public pipelines "
     "(nf-core runs named PRJNA229998_GSE52778; ENA browser view PRJNA229998)"),
    ("study", "PRJEB3366", "GEUVADIS RNA-seq of 1000 Genomes lymphoblastoid cell lines (ArrayExpress E-GEUV-1, ENA ERP001942)",
     "ENA read-run reports of PRJEB3366 (study ERP001942, Illumina HiSeq 2000, PAIRED, cDNA) quoted in public "
     "GEUVADIS processing code; ENA browser view PRJEB3366"),
    ("study", "PRJEB2445", "Illumina Human BodyMap 2.0 (ArrayExpress E-MTAB-513)",
     "ENA project PRJEB2445 'RNA-Seq of human individual tissues and mixture of 16 tissues (Illumina Body Map)' "
     "(ENA data view link quoted in public RefEx/BodyMap code)"),
    # --- compounds (ChEBI) ---
    ("perturbation_ontology_id", "CHEBI:41879", "dexamethasone",
     "ChEBI IRI http://purl.obolibrary.org/obo/CHEBI_41879 labelled 'dexamethasone' in independent public "
     "curations (Gemma/EFO experiment annotations, ontology-annotator outputs, GA4GH phenopacket examples)"),
    # --- cell types (CL) ---
    ("cell_type_ontology_id", "CL:0019019", "tracheobronchial smooth muscle cell", _UBERON_PULM),
    ("cell_type_ontology_id", "CL:0000236", "B cell", _UBERON_IMMUNE),
    ("cell_type_ontology_id", "CL:0000084", "T cell", _UBERON_IMMUNE),
    ("cell_type_ontology_id", "CL:0000624", "CD4-positive, alpha-beta T cell", _UBERON_IMMUNE),
    ("cell_type_ontology_id", "CL:0000625", "CD8-positive, alpha-beta T cell", _UBERON_IMMUNE),
    ("cell_type_ontology_id", "CL:0000623", "natural killer cell", _UBERON_IMMUNE),
    ("cell_type_ontology_id", "CL:0000860", "classical monocyte", _UBERON_IMMUNE),
    ("cell_type_ontology_id", "CL:0000875", "non-classical monocyte", _UBERON_IMMUNE),
    ("cell_type_ontology_id", "CL:0000451", "dendritic cell", _UBERON_IMMUNE),
    ("cell_type_ontology_id", "CL:0000556", "megakaryocyte", _UBERON_IMMUNE),
    # --- biologics (Ensembl gene of the protein) ---
    ("perturbation_ontology_id", "ENSG00000171855", "IFNB1 (interferon beta 1; recombinant IFN-beta protein)",
     "org.Hs.eg.db 3.16.0 (Debian r-bioc-org.hs.eg.db 3.16.0-1): Entrez 3456 'IFNB1' 'interferon beta 1' -> Ensembl "
     "ENSG00000171855"),
    # --- tissues (UBERON) ---
    ("tissue_ontology_id", "UBERON:0001013", "adipose tissue", _UBERON_EFO),
    ("tissue_ontology_id", "UBERON:0000178", "blood", _UBERON_EFO),
    ("tissue_ontology_id", "UBERON:0000948", "heart", _UBERON_EFO),
    ("tissue_ontology_id", "UBERON:0001134", "skeletal muscle tissue", _UBERON_MUSC),
    ("tissue_ontology_id", "UBERON:0000310", "breast",
     "UBERON term stanza 'id: UBERON:0000310 / name: breast' (uberon-basic, as quoted in public ontology-loading "
     "code) and SRA sample curations mapping 'breast' to http://purl.obolibrary.org/obo/UBERON_0000310"),
    # --- diseases (MONDO) ---
    ("disease_ontology_id", "MONDO:0004989", "breast carcinoma",
     "Mondo IRI http://purl.obolibrary.org/obo/MONDO_0004989, Mondo label 'breast carcinoma' (EFO's Mondo "
     "migration report: EFO:0000305 'breast carcinoma' replaced by MONDO:0004989; PGS Catalog and Open Targets "
     "use MONDO_0004989 'breast carcinoma'); its parent MONDO:0007254 is the broader 'breast cancer'"),
    # --- cell lines (Cellosaurus) ---
    ("cell_line_ontology_id", "CVCL_0395", "LNCaP",
     "Cellosaurus accession of the parental LNCaP line (LNCaP clone FGC is CVCL_1379); cross-checked in public "
     "cell-line mapping tables (e.g. DrugComb/ABCS cell lists: LNCAP -> CVCL_0395, prostate carcinoma)"),
]

BODYMAP_TISSUE = {
    "adipose": "UBERON:0001013",
    "blood": "UBERON:0000178",
    "heart": "UBERON:0000948",
    "skeletal_muscle": "UBERON:0001134",
}


def sc_cell_metadata(condition: str, cell_type_ontology_id: str) -> dict[str, str]:
    """Protocol metadata of one Kang 2018 PBMC cell (see data/SOURCE.md for sources)."""
    md = _blank()
    md.update(sample_type="primary cells", tissue_ontology_id="UBERON:0000178",
              cell_type_ontology_id=cell_type_ontology_id, platform="illumina")
    if condition == "stim":
        md.update(perturbation_type="peptide or biologic", perturbation_ontology_id="ENSG00000171855",
                  perturbation_dose="100 U/ml", perturbation_time="6 hours")
    elif condition == "ctrl":
        md.update(perturbation_type="control")
    else:
        raise ValueError(f"kang: unknown condition {condition!r}")
    return md


def _blank() -> dict[str, str]:
    return {c: "" for c in BULK_PROTOCOL_COLUMNS}


def bulk_sample_rows(name: str, samples: pd.DataFrame, src_ids: list[str]) -> list[list[str]]:
    """One row per bulk sample (in `src_ids` order) with the BULK_SAMPLE_COLUMNS values."""
    key = samples.columns[0]
    by_id = {r[key]: r for r in samples.to_dict("records")}
    rows = []
    for sid in src_ids:
        if sid not in by_id:
            raise ValueError(f"{name}: counts column {sid!r} has no row in samples.tsv.gz")
        src = by_id[sid]
        md = _blank()
        md["platform"] = "illumina"
        if name == "airway":
            donor = src["cell"]
            kind = "biological"
            md.update(sex="male", sample_type="primary cells", cell_type_ontology_id="CL:0019019",
                      study="PRJNA229998", library_layout="PAIRED")
            if src["dex"] == "trt":
                md.update(perturbation_type="compound", perturbation_ontology_id="CHEBI:41879",
                          perturbation_dose="1 um", perturbation_time="18 hours")
            elif src["dex"] == "untrt":
                md.update(perturbation_type="control")
            else:
                raise ValueError(f"airway: unknown dex value {src['dex']!r}")
        elif name == "lncap":
            donor = "LNCaP"
            kind = "technical"
            md.update(sex="male", sample_type="cell line", cell_line_ontology_id="CVCL_0395",
                      library_selection="polyA")
            if src["treatment"] == "androgen":
                md.update(perturbation_type="compound")
            elif src["treatment"] == "control":
                md.update(perturbation_type="control")
            else:
                raise ValueError(f"lncap: unknown treatment {src['treatment']!r}")
        elif name == "geuvadis":
            donor = sid
            kind = "biological"
            sex = src["sex"].lower()
            if sex not in ("male", "female"):
                raise ValueError(f"geuvadis: unknown sex {src['sex']!r}")
            md.update(sex=sex, sample_type="cell line", cell_type_ontology_id="CL:0000236",
                      study="PRJEB3366", library_layout="PAIRED", library_selection="cDNA")
        elif name == "bodymap":
            donor = src["tissue"]
            kind = "technical"
            tissue = src["tissue"]
            if tissue not in BODYMAP_TISSUE:
                raise ValueError(f"bodymap: unknown tissue {tissue!r}")
            md.update(sample_type="primary tissue", tissue_ontology_id=BODYMAP_TISSUE[tissue], study="PRJEB2445")
        elif name == "tcga_brca":
            # One sample per patient: tumour (code 01) or solid tissue normal
            # (code 11) from the barcode (sources.TCGA_SAMPLE_TYPES). No sex in
            # the carrier (a data.frame without colData): empty. Untreated
            # tissue: no perturbation_type, as BodyMap. Normal tissue has no
            # disease value (the vocabulary has MONDO ids only): empty = unknown.
            donor = src["patient"]
            kind = "biological"
            md.update(sample_type="primary tissue", tissue_ontology_id="UBERON:0000310")
            if src["sample_type_code"] == "01":
                md.update(disease_ontology_id="MONDO:0004989")
            elif src["sample_type_code"] != "11":
                raise ValueError(f"tcga_brca: unknown sample type code {src['sample_type_code']!r}")
        else:
            raise ValueError(f"unknown bulk dataset {name!r}")
        rows.append([f"{name}_{sid}", name, f"{name}_{donor}", kind] + [md[c] for c in BULK_PROTOCOL_COLUMNS])
    return rows
