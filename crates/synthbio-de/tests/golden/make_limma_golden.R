# Golden outputs of limma and edgeR for synthbio-de's linear-model path.
#
# Input: the airway slice (first 200 genes of the airway dexamethasone counts, Himes et al.
# 2014, GSE52778; Bioconductor 'airway'): crates/synthbio-normalize/tests/golden/airway_slice.tsv
# (genes x samples) and airway_samples.tsv in this folder.
#
# Writes limma_*.tsv here: one row per gene (sort.by = "none"), columns of topTable plus
# the prior. Header lines start with '#' and name the R, limma and edgeR versions.
#
# Run (Debian: apt-get install r-base-core r-bioc-limma r-bioc-edger r-cran-statmod; limma's
# robust eBayes needs statmod), from this folder:
#   Rscript make_limma_golden.R

suppressPackageStartupMessages({
  library(limma)
  library(edgeR)
})

here <- local({
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  if (length(f)) dirname(normalizePath(f)) else getwd()
})

# The slice is the normalize crate's copy (one file for both crates).
slice <- file.path(here, "..", "..", "..", "synthbio-normalize", "tests", "golden", "airway_slice.tsv")
counts <- as.matrix(read.delim(slice, row.names = 1,
                               check.names = FALSE))
samples <- read.delim(file.path(here, "airway_samples.tsv"), stringsAsFactors = FALSE)
samples <- samples[match(colnames(counts), samples$run), ]
stopifnot(identical(samples$run, colnames(counts)))
samples$cell <- factor(samples$cell)
samples$dex <- relevel(factor(samples$dex), ref = "untrt")

versions <- sprintf("# %s; limma %s; edgeR %s", R.version.string,
                    packageVersion("limma"), packageVersion("edgeR"))

fmt <- function(x) ifelse(is.na(x), "NA", ifelse(is.infinite(x), ifelse(x > 0, "Inf", "-Inf"),
                                                  sprintf("%.17g", x)))

write_golden <- function(name, what, table, extra = character()) {
  path <- file.path(here, name)
  lines <- c(versions, paste0("# ", what), extra)
  body <- as.data.frame(lapply(table, function(col) if (is.numeric(col)) fmt(col) else col),
                        check.names = FALSE)
  writeLines(lines, path)
  suppressWarnings(write.table(body, path, sep = "\t", quote = FALSE, row.names = FALSE,
                               append = TRUE))
}

top <- function(fit, coef, keep_ids) {
  tt <- topTable(fit, coef = coef, number = Inf, sort.by = "none")
  data.frame(gene_id = keep_ids, logFC = tt$logFC, AveExpr = tt$AveExpr, t = tt$t,
             P.Value = tt$P.Value, adj.P.Val = tt$adj.P.Val, B = tt$B,
             s2.prior = rep_len(fit$s2.prior, nrow(tt)), s2.post = fit$s2.post,
             df.prior = rep_len(fit$df.prior, nrow(tt)),
             df.total = rep_len(fit$df.total, nrow(tt)), check.names = FALSE)
}

# df.prior: the prior df (robust: fitFDistRobustly's df2, the typical genes' df before
# shrinking; each gene's df.prior is a column of the table).
prior_lines <- function(fit, df2 = fit$df.prior[1]) {
  c(sprintf("# df.prior\t%s", fmt(df2)),
    sprintf("# s2.prior.median\t%s", fmt(median(fit$s2.prior))),
    sprintf("# var.prior\t%s", paste(fmt(fit$var.prior), collapse = ",")))
}

# Library sizes are the totals over all genes (edgeR's keep.lib.sizes = TRUE): the genes
# filterByExpr removes still count in each sample's library, as synthbio-de does.
lib <- colSums(counts)
logcpm_all <- cpm(counts, log = TRUE, prior.count = 2)
kept_of <- function(design) {
  keep <- filterByExpr(counts, design)
  list(keep = keep, ids = rownames(counts)[keep], logcpm = logcpm_all[keep, , drop = FALSE])
}

# 1. filterByExpr on the paired design ~ cell + dex (defaults).
design <- model.matrix(~ cell + dex, data = samples)
k <- kept_of(design)
write_golden("limma_filter_by_expr.tsv",
             "edgeR::filterByExpr(counts, model.matrix(~ cell + dex)), default arguments",
             data.frame(gene_id = rownames(counts), keep = ifelse(k$keep, "TRUE", "FALSE")))

# 2. limma-trend on the paired design.
fit <- eBayes(lmFit(k$logcpm, design), trend = TRUE)
write_golden("limma_paired_trend.tsv",
             "keep = filterByExpr(~ cell + dex); cpm(counts, log = TRUE, prior.count = 2)[keep, ]; lmFit(~ cell + dex); eBayes(trend = TRUE); topTable(coef = 'dextrt')",
             top(fit, "dextrt", k$ids), prior_lines(fit))

# 3. Plain eBayes on the same fit.
fit <- eBayes(lmFit(k$logcpm, design))
write_golden("limma_paired_plain.tsv",
             "keep = filterByExpr(~ cell + dex); cpm(counts, log = TRUE, prior.count = 2)[keep, ]; lmFit(~ cell + dex); eBayes(); topTable(coef = 'dextrt')",
             top(fit, "dextrt", k$ids), prior_lines(fit))

# 4. voom on the paired design.
v <- voom(counts[k$keep, ], design, lib.size = lib)
fit <- eBayes(lmFit(v, design))
write_golden("limma_paired_voom.tsv",
             "keep = filterByExpr(~ cell + dex); voom(counts[keep, ], ~ cell + dex, lib.size = colSums(counts)); lmFit; eBayes(); topTable(coef = 'dextrt')",
             top(fit, "dextrt", k$ids), prior_lines(fit))
w <- v$weights
colnames(w) <- colnames(counts)
write_golden("limma_paired_voom_weights.tsv",
             "voom(counts[keep, ], ~ cell + dex, lib.size = colSums(counts))$weights",
             data.frame(gene_id = k$ids, w, check.names = FALSE))

# 5. A numeric covariate: ~ avgLength + dex.
design_num <- model.matrix(~ avgLength + dex, data = samples)
kn <- kept_of(design_num)
fit <- eBayes(lmFit(kn$logcpm, design_num))
write_golden("limma_numeric_covariate.tsv",
             "keep = filterByExpr(~ avgLength + dex); cpm(counts, log = TRUE, prior.count = 2)[keep, ]; lmFit(~ avgLength + dex); eBayes(); topTable(coef = 'dextrt')",
             top(fit, "dextrt", kn$ids), prior_lines(fit))

# 6. A contrast: ~ 0 + dex, contrast trt - untrt (the two-group design), with trend.
design_means <- model.matrix(~ 0 + dex, data = samples)
km <- kept_of(design_means)
cont <- makeContrasts(dextrt - dexuntrt, levels = design_means)
fit <- eBayes(contrasts.fit(lmFit(km$logcpm, design_means), cont), trend = TRUE)
write_golden("limma_two_group_contrast.tsv",
             "keep = filterByExpr(~ 0 + dex); cpm(counts, log = TRUE, prior.count = 2)[keep, ]; lmFit(~ 0 + dex); contrasts.fit(dextrt - dexuntrt); eBayes(trend = TRUE); topTable(coef = 1)",
             top(fit, 1, km$ids), prior_lines(fit))

# 7. The infinite prior df branch: two groups of 3 (4 residual df), every gene with the
#    same residual variance 0.5: limma >= 3.19.11 sets s2.prior = mean(var) = 0.5.
set.seed(1)
ng <- 10
base <- sqrt(0.5) * c(-1, 1, 0, -1, 1, 0) # residual variance 0.5 in each group
shift <- matrix(rep(c(rnorm(ng, 5, 1)), 6), ng) + outer(rnorm(ng, 0, 1), c(0, 0, 0, 1, 1, 1))
y <- shift + matrix(rep(base, each = ng), ng)
rownames(y) <- sprintf("gene%02d", seq_len(ng))
colnames(y) <- c("c1", "c2", "c3", "t1", "t2", "t3")
grp <- factor(c("control", "control", "control", "case", "case", "case"),
              levels = c("control", "case"))
fit <- eBayes(lmFit(y, model.matrix(~ grp)))
write_golden("limma_infinite_df.tsv",
             "lmFit(y, ~ group) on 10 genes with equal residual variances (4 df); eBayes(); topTable(coef = 'grpcase')",
             top(fit, "grpcase", rownames(y)), prior_lines(fit))
write_golden("limma_infinite_df_input.tsv", "y (genes x samples), groups: c* control, t* case",
             data.frame(gene_id = rownames(y), y, check.names = FALSE))

# 8. fitFDist cases (the variances of the old JSON golden; limma's own answers).
cases <- list(list(var = rep(0.5, 10), df = 4),
              list(var = c(rep(0, 6), 0.1668255292301437, 0.13372156957043074,
                           0.11459011985866939, 0.17455237160982984), df = 6))
rows <- do.call(rbind, lapply(cases, function(cs) {
  f <- suppressWarnings(fitFDist(cs$var, cs$df))
  data.frame(df1 = fmt(cs$df), var = paste(fmt(cs$var), collapse = ","),
             df2 = fmt(f$df2), scale = fmt(f$scale))
}))
write_golden("limma_fit_f_dist.tsv", "limma:::fitFDist(var, df1)", rows)

# 9. A rank-deficient design: `lane` repeats dex under other labels.
samples$lane <- factor(ifelse(samples$dex == "trt", "A", "B"))
writeLines(c(versions, "# nonEstimable(model.matrix(~ dex + lane))",
             paste(nonEstimable(model.matrix(~ dex + lane, data = samples)), collapse = "\t")),
           file.path(here, "limma_rank_deficient.tsv"))

# 10. Robust eBayes on the paired design: log CPM without and with a trend, and voom.
fit0 <- lmFit(k$logcpm, design)
for (trend in c(FALSE, TRUE)) {
  fit <- eBayes(fit0, trend = trend, robust = TRUE)
  rob <- fitFDistRobustly(fit0$sigma^2, fit0$df.residual,
                          covariate = if (trend) fit0$Amean else NULL)
  write_golden(if (trend) "limma_paired_trend_robust.tsv" else "limma_paired_robust.tsv",
               sprintf("keep = filterByExpr(~ cell + dex); cpm(counts, log = TRUE, prior.count = 2)[keep, ]; lmFit(~ cell + dex); eBayes(trend = %s, robust = TRUE); topTable(coef = 'dextrt')", trend),
               top(fit, "dextrt", k$ids), prior_lines(fit, rob$df2))
}

fitv <- lmFit(v, design)
write_golden("limma_paired_voom_robust.tsv",
             "keep = filterByExpr(~ cell + dex); voom(counts[keep, ], ~ cell + dex, lib.size = colSums(counts)); lmFit; eBayes(robust = TRUE); topTable(coef = 'dextrt')",
             top(eBayes(fitv, robust = TRUE), "dextrt", k$ids),
             prior_lines(eBayes(fitv, robust = TRUE),
                         fitFDistRobustly(fitv$sigma^2, fitv$df.residual)$df2))

# 11. fitFDistRobustly on simulated variances, one branch each: (a) d0 infinite (variances less
#     dispersed than chi-square, high outliers), (b) d0 from the root search without a covariate (F variances
#     with outliers both ways), (c) with a covariate.
set.seed(15)
ng <- 300
cases <- list(
  a = list(var = c(0.2 * sample((qchisq(ppoints(ng - 4), 4) / 4)^0.8), c(3, 5, 8, 12)), df1 = 4,
           cov = NULL),
  b = list(var = c(0.3 * rf(ng - 6, 3, 6), c(40, 60, 90, 1e-4, 2e-4, 3e-4)), df1 = 3,
           cov = NULL),
  c = list(var = NULL, df1 = 5, cov = runif(ng, 0, 10)))
cases$c$var <- exp(-0.2 * cases$c$cov) * rf(ng, 5, 8) * c(rep(1, ng - 3), 50, 80, 120)
rows <- do.call(rbind, lapply(names(cases), function(nm) {
  cs <- cases[[nm]]
  f <- fitFDistRobustly(cs$var, cs$df1, covariate = cs$cov)
  data.frame(case = nm, df1 = fmt(cs$df1), var = fmt(cs$var),
             covariate = if (is.null(cs$cov)) "NA" else fmt(cs$cov),
             scale = fmt(rep_len(f$scale, length(cs$var))), df2 = fmt(f$df2),
             df2.shrunk = fmt(f$df2.shrunk))
}))
write_golden("limma_fit_f_dist_robustly.tsv",
             "limma:::fitFDistRobustly(var, df1, covariate) on simulated variances (set.seed(15))",
             rows)

# 12. Robust eBayes with other Winsorizing tails (winsor.tail.p = c(0.1, 0.2)), limma-trend
#     on the paired design.
wtp <- c(0.1, 0.2)
fit <- eBayes(fit0, trend = TRUE, robust = TRUE, winsor.tail.p = wtp)
rob <- fitFDistRobustly(fit0$sigma^2, fit0$df.residual, covariate = fit0$Amean,
                        winsor.tail.p = wtp)
write_golden("limma_paired_trend_robust_winsor.tsv",
             "keep = filterByExpr(~ cell + dex); cpm(counts, log = TRUE, prior.count = 2)[keep, ]; lmFit(~ cell + dex); eBayes(trend = TRUE, robust = TRUE, winsor.tail.p = c(0.1, 0.2)); topTable(coef = 'dextrt')",
             top(fit, "dextrt", k$ids), prior_lines(fit, rob$df2))
