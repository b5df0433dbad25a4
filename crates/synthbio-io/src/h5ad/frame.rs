//! AnnData `dataframe` groups (`obs`, `var`, `raw/var`): read as text columns, written
//! with anndata's 0.2.0 dataframe encoding.

use super::hdf::{
    attr_string, attr_strings, encoding, kind, read_strings, set_attr, set_encoding, to_vlen,
    write_strings, Ctx, Kind,
};
use super::H5adError;
use hdf5::types::{TypeDescriptor, VarLenUnicode};
use hdf5::Group;

/// A dataframe as read: its index and its columns as text (`None` = missing).
pub(crate) struct Frame {
    pub index: Vec<String>,
    pub columns: Vec<(String, Vec<Option<String>>)>,
}

impl Frame {
    /// The column names, for messages.
    pub fn names(&self) -> String {
        if self.columns.is_empty() {
            "none".into()
        } else {
            self.columns
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// Reads the dataframe group at `path`.
pub(crate) fn read_frame(ctx: Ctx<'_>, root: &Group, path: &str) -> Result<Frame, H5adError> {
    if kind(root, path) != Kind::Group {
        return Err(H5adError::Missing {
            file: ctx.file.to_string(),
            element: format!("{path} table"),
            fix: "an AnnData file needs obs and var; re-save it with anndata 0.8 or later".into(),
        });
    }
    let group = root.group(path).map_err(ctx.err(path))?;
    match encoding(ctx, &group, path)?.as_deref() {
        Some("dataframe") => {}
        other => {
            return Err(ctx.unsupported(
                path,
                format!("a group with encoding-type {:?}", other.unwrap_or("(none)")),
                "re-save the file with anndata 0.8 or later (older files store tables differently)",
            ))
        }
    }
    let index_name = attr_string(ctx, &group, path, "_index")?.ok_or_else(|| {
        ctx.inconsistent(format!("{path} has no _index attribute naming its index"))
    })?;
    let index_path = format!("{path}/{index_name}");
    let index_ds = group.dataset(&index_name).map_err(ctx.err(&index_path))?;
    let index = read_strings(ctx, &index_ds, &index_path)?;
    let order = attr_strings(ctx, &group, path, "column-order")?.unwrap_or_default();
    let mut columns = Vec::with_capacity(order.len());
    for name in order {
        let values = read_column(ctx, &group, path, &name, index.len())?;
        columns.push((name, values));
    }
    Ok(Frame { index, columns })
}

/// Reads one column as text: strings as they are (empty = missing), numbers in Rust's
/// shortest form (`40`, `31.5`; NaN = missing), booleans `true`/`false`, categories
/// by code (-1 = missing), nullable arrays by mask.
fn read_column(
    ctx: Ctx<'_>,
    group: &Group,
    frame: &str,
    name: &str,
    n: usize,
) -> Result<Vec<Option<String>>, H5adError> {
    let element = format!("{frame}/{name}");
    let values =
        match kind(group, name) {
            Kind::Dataset => {
                let ds = group.dataset(name).map_err(ctx.err(&element))?;
                read_plain(ctx, &ds, &element)?
            }
            Kind::Group => {
                let g = group.group(name).map_err(ctx.err(&element))?;
                match encoding(ctx, &g, &element)?.as_deref() {
                    Some("categorical") => {
                        let cats_path = format!("{element}/categories");
                        let cats = g.dataset("categories").map_err(ctx.err(&cats_path))?;
                        let cats = read_plain(ctx, &cats, &cats_path)?;
                        let codes_path = format!("{element}/codes");
                        let codes: Vec<i64> = g
                            .dataset("codes")
                            .and_then(|d| d.read_raw::<i64>())
                            .map_err(ctx.err(&codes_path))?;
                        codes
                            .iter()
                            .map(|&c| match c {
                                -1 => Ok(None),
                                c if c >= 0 && (c as usize) < cats.len() => {
                                    Ok(cats[c as usize].clone())
                                }
                                c => Err(ctx.inconsistent(format!(
                                    "{codes_path} holds code {c} but there are {} categories",
                                    cats.len()
                                ))),
                            })
                            .collect::<Result<Vec<_>, _>>()?
                    }
                    Some("nullable-integer" | "nullable-boolean" | "nullable-string-array") => {
                        let values_path = format!("{element}/values");
                        let values = g.dataset("values").map_err(ctx.err(&values_path))?;
                        let values = read_plain(ctx, &values, &values_path)?;
                        let mask_path = format!("{element}/mask");
                        let mask: Vec<bool> = g
                            .dataset("mask")
                            .and_then(|d| d.read_raw::<bool>())
                            .map_err(ctx.err(&mask_path))?;
                        if mask.len() != values.len() {
                            return Err(ctx.inconsistent(format!(
                                "{mask_path} has {} entries but {values_path} has {}",
                                mask.len(),
                                values.len()
                            )));
                        }
                        values
                            .into_iter()
                            .zip(mask)
                            .map(|(v, missing)| if missing { None } else { v })
                            .collect()
                    }
                    other => return Err(ctx.unsupported(
                        &element,
                        format!(
                            "a column with encoding-type {:?}",
                            other.unwrap_or("(none)")
                        ),
                        "store it as text, numbers, booleans or a categorical, or drop the column",
                    )),
                }
            }
            Kind::Absent => {
                return Err(ctx.inconsistent(format!(
                    "{frame} lists column {name:?} in column-order but holds no such element"
                )))
            }
        };
    if values.len() != n {
        return Err(ctx.inconsistent(format!(
            "{element} has {} entries but {frame} has {n} rows",
            values.len()
        )));
    }
    Ok(values)
}

/// A 1-D dataset of text, numbers or booleans, as text.
fn read_plain(
    ctx: Ctx<'_>,
    ds: &hdf5::Dataset,
    element: &str,
) -> Result<Vec<Option<String>>, H5adError> {
    let td = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(ctx.err(element))?;
    let err = ctx.err(element);
    Ok(match td {
        TypeDescriptor::VarLenUnicode | TypeDescriptor::VarLenAscii => {
            read_strings(ctx, ds, element)?
                .into_iter()
                .map(|s| (!s.is_empty()).then_some(s))
                .collect()
        }
        TypeDescriptor::Integer(_) => ds
            .read_raw::<i64>()
            .map_err(err)?
            .iter()
            .map(|v| Some(v.to_string()))
            .collect(),
        TypeDescriptor::Unsigned(_) => ds
            .read_raw::<u64>()
            .map_err(err)?
            .iter()
            .map(|v| Some(v.to_string()))
            .collect(),
        TypeDescriptor::Float(_) => ds
            .read_raw::<f64>()
            .map_err(err)?
            .iter()
            .map(|v| (!v.is_nan()).then(|| v.to_string()))
            .collect(),
        TypeDescriptor::Boolean => ds
            .read_raw::<bool>()
            .map_err(err)?
            .iter()
            .map(|v| Some(v.to_string()))
            .collect(),
        other => {
            return Err(ctx.unsupported(
                element,
                format!("stored as {other}"),
                "store it as text, numbers, booleans or a categorical, or drop the column",
            ))
        }
    })
}

/// A column to write.
pub(crate) enum Column<'a> {
    /// Text, written as a categorical (categories sorted; missing = code -1), as
    /// anndata stores string columns.
    Text(Vec<Option<&'a str>>),
    /// Numbers (NaN = missing), float64.
    Number(Vec<f64>),
}

/// Writes a dataframe group `name` under `parent` with its index and columns.
pub(crate) fn write_frame(
    ctx: Ctx<'_>,
    parent: &Group,
    name: &str,
    index: &[String],
    columns: &[(String, Column<'_>)],
) -> Result<(), H5adError> {
    let group = parent.create_group(name).map_err(ctx.err(name))?;
    set_encoding(ctx, &group, name, "dataframe", "0.2.0")?;
    set_attr(ctx, &group, name, "_index", "_index")?;
    let order_what = format!("attribute \"column-order\" of {name}");
    if columns.is_empty() {
        // anndata writes an empty column order as an empty float array.
        group
            .new_attr::<f64>()
            .shape(0)
            .create("column-order")
            .map_err(ctx.err(&order_what))?;
    } else {
        let names = columns
            .iter()
            .map(|(c, _)| to_vlen(ctx, &order_what, c))
            .collect::<Result<Vec<VarLenUnicode>, _>>()?;
        group
            .new_attr_builder()
            .with_data(&names)
            .create("column-order")
            .map_err(ctx.err(&order_what))?;
    }
    let ids: Vec<&str> = index.iter().map(String::as_str).collect();
    write_strings(ctx, &group, name, "_index", &ids)?;
    for (column, values) in columns {
        let element = format!("{name}/{column}");
        match values {
            Column::Number(v) => {
                let ds = group
                    .new_dataset_builder()
                    .with_data(v.as_slice())
                    .create(column.as_str())
                    .map_err(ctx.err(&element))?;
                set_encoding(ctx, &ds, &element, "array", "0.2.0")?;
            }
            Column::Text(v) => write_categorical(ctx, &group, &element, column, v)?,
        }
    }
    Ok(())
}

/// Writes text values as an anndata categorical: sorted categories and codes.
fn write_categorical(
    ctx: Ctx<'_>,
    group: &Group,
    element: &str,
    column: &str,
    values: &[Option<&str>],
) -> Result<(), H5adError> {
    let mut categories: Vec<&str> = values.iter().flatten().copied().collect();
    categories.sort_unstable();
    categories.dedup();
    let codes: Vec<i32> = values
        .iter()
        .map(|v| match v {
            // Found: the categories were built from these values.
            Some(v) => categories.binary_search(v).map_or(-1, |i| i as i32),
            None => -1,
        })
        .collect();
    let g = group.create_group(column).map_err(ctx.err(element))?;
    set_encoding(ctx, &g, element, "categorical", "0.2.0")?;
    g.new_attr::<bool>()
        .shape(())
        .create("ordered")
        .and_then(|a| a.write_scalar(&false))
        .map_err(ctx.err(element))?;
    write_strings(ctx, &g, element, "categories", &categories)?;
    let codes_path = format!("{element}/codes");
    let ds = g
        .new_dataset_builder()
        .with_data(&codes)
        .create("codes")
        .map_err(ctx.err(&codes_path))?;
    set_encoding(ctx, &ds, &codes_path, "array", "0.2.0")
}
