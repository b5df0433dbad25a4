//! Sparse chunks normalize to the dense result, bit for bit, zeros kept out.

use ndarray::{array, Array2};
use synthbio_core::SparseCounts;
use synthbio_normalize::{
    normalize, normalize_sparse, Method, NormalizeError, NormalizeParams, Real, TargetSum,
};

fn sparse(x: &Array2<u32>) -> SparseCounts {
    let (mut indptr, mut indices, mut data) = (vec![0], Vec::new(), Vec::new());
    for row in x.rows() {
        for (j, &v) in row.iter().enumerate() {
            if v != 0 {
                indices.push(j as u32);
                data.push(v);
            }
        }
        indptr.push(indices.len());
    }
    SparseCounts::new(x.dim(), indptr, indices, data)
}

fn same_as_dense<F: Real + std::fmt::Debug>(counts: &Array2<u32>, method: Method) {
    let dense = normalize::<u32, F>(counts.view(), &NormalizeParams::new(method)).unwrap();
    let values = normalize_sparse::<F>(sparse(counts), method).unwrap();
    assert_eq!(values.shape(), counts.dim());
    assert_eq!(values.nnz(), counts.iter().filter(|&&c| c > 0).count());
    for (i, row) in values.outer_iterator().enumerate() {
        for (j, v) in row.iter() {
            assert!(counts[[i, j]] > 0, "only the counts' non-zeros are stored");
            let d = dense.expression.values[[i, j]];
            assert!(*v == d, "{method:?} at ({i}, {j}): {v:?} vs dense {d:?}");
        }
    }
    for ((i, j), &c) in counts.indexed_iter() {
        if c == 0 {
            assert!(
                dense.expression.values[[i, j]] == F::from_f64(0.0),
                "{method:?}: zero stays zero"
            );
        }
    }
}

#[test]
fn sparse_chunks_normalize_to_the_dense_values() {
    let counts = array![[10u32, 0, 90, 0, 3], [0, 0, 1, 0, 0], [7, 300, 0, 12, 1]];
    for method in [
        Method::Cpm,
        Method::Log2CpmPlusOne,
        Method::Log1p {
            target_sum: TargetSum::Fixed(1e4),
        },
    ] {
        same_as_dense::<f64>(&counts, method);
        same_as_dense::<f32>(&counts, method);
    }
}

#[test]
fn methods_that_look_across_samples_are_refused() {
    let counts = sparse(&array![[1u32, 2], [3, 0]]);
    let refused = |method| {
        normalize_sparse::<f64>(counts.clone(), method)
            .unwrap_err()
            .to_string()
    };
    let log_cpm = refused(Method::LogCpm { prior_count: 2.0 });
    assert!(
        log_cpm.contains("dense") && log_cpm.contains("log1p"),
        "{log_cpm}"
    );
    let median = refused(Method::Log1p {
        target_sum: TargetSum::MedianOfTotals,
    });
    assert!(median.contains("median_of_totals"), "{median}");
    let empty =
        normalize_sparse::<f64>(sparse(&array![[1u32, 2], [0, 0]]), Method::Cpm).unwrap_err();
    assert!(
        matches!(empty, NormalizeError::EmptyLibrary { index: 1, .. }),
        "{empty}"
    );
}
