//! Small HDF5 helpers over `hdf5-metno`: typed errors naming the element, string
//! attributes and string arrays as AnnData stores them, element kinds.

use super::H5adError;
use hdf5::types::{TypeDescriptor, VarLenAscii, VarLenUnicode};
use hdf5::{Dataset, Group, Location};

/// The file name and what is being done, for errors.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub action: &'static str,
}

impl Ctx<'_> {
    /// Maps an HDF5 error on `element`.
    pub fn err(&self, element: &str) -> impl Fn(hdf5::Error) -> H5adError + '_ {
        let element = element.to_string();
        move |e| H5adError::Hdf5 {
            file: self.file.to_string(),
            action: self.action,
            element: element.clone(),
            message: e.to_string(),
        }
    }

    /// An element stored in an unknown way.
    pub fn unsupported(&self, element: &str, found: String, fix: &str) -> H5adError {
        H5adError::Unsupported {
            file: self.file.to_string(),
            element: element.to_string(),
            found,
            fix: fix.to_string(),
        }
    }

    /// Parts that disagree.
    pub fn inconsistent(&self, problem: String) -> H5adError {
        H5adError::Inconsistent {
            file: self.file.to_string(),
            problem,
        }
    }
}

/// What a group member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Group,
    Dataset,
    Absent,
}

/// Whether `name` (a path below `group`) is a group, a dataset or absent.
pub(crate) fn kind(group: &Group, name: &str) -> Kind {
    // Walk the path so that a missing intermediate group is "absent", not an error.
    let mut current = group.clone();
    let parts: Vec<&str> = name.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if !current.link_exists(part) {
            return Kind::Absent;
        }
        let last = i + 1 == parts.len();
        match current.group(part) {
            Ok(g) if !last => current = g,
            Ok(_) => return Kind::Group,
            Err(_) if last && current.dataset(part).is_ok() => return Kind::Dataset,
            Err(_) => return Kind::Absent,
        }
    }
    Kind::Absent
}

/// A string attribute (variable-length UTF-8 or ASCII, as h5py writes them), if present.
pub(crate) fn attr_string(
    ctx: Ctx<'_>,
    loc: &Location,
    element: &str,
    name: &str,
) -> Result<Option<String>, H5adError> {
    let what = format!("attribute {name:?} of {element}");
    let names = loc.attr_names().map_err(ctx.err(&what))?;
    if !names.iter().any(|n| n == name) {
        return Ok(None);
    }
    let attr = loc.attr(name).map_err(ctx.err(&what))?;
    let td = attr
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(ctx.err(&what))?;
    let value = match td {
        TypeDescriptor::VarLenUnicode => attr
            .read_scalar::<VarLenUnicode>()
            .map(|s| s.as_str().to_string()),
        TypeDescriptor::VarLenAscii => attr
            .read_scalar::<VarLenAscii>()
            .map(|s| s.as_str().to_string()),
        other => {
            return Err(ctx.unsupported(
                &what,
                format!("stored as {other}, not text"),
                "re-save the file with anndata 0.8 or later",
            ))
        }
    };
    value.map(Some).map_err(ctx.err(&what))
}

/// A string attribute or array-of-strings attribute (`column-order`); an empty numeric
/// array (anndata's empty `column-order`) is an empty list.
pub(crate) fn attr_strings(
    ctx: Ctx<'_>,
    loc: &Location,
    element: &str,
    name: &str,
) -> Result<Option<Vec<String>>, H5adError> {
    let what = format!("attribute {name:?} of {element}");
    let names = loc.attr_names().map_err(ctx.err(&what))?;
    if !names.iter().any(|n| n == name) {
        return Ok(None);
    }
    let attr = loc.attr(name).map_err(ctx.err(&what))?;
    let td = attr
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(ctx.err(&what))?;
    let values = match td {
        TypeDescriptor::VarLenUnicode => attr
            .read_raw::<VarLenUnicode>()
            .map(|v| v.iter().map(|s| s.as_str().to_string()).collect()),
        TypeDescriptor::VarLenAscii => attr
            .read_raw::<VarLenAscii>()
            .map(|v| v.iter().map(|s| s.as_str().to_string()).collect()),
        _ if attr.size() == 0 => Ok(Vec::new()),
        other => {
            return Err(ctx.unsupported(
                &what,
                format!("stored as {other}, not text"),
                "re-save the file with anndata 0.8 or later",
            ))
        }
    };
    values.map(Some).map_err(ctx.err(&what))
}

/// A 1-D dataset of strings (variable-length UTF-8 or ASCII).
pub(crate) fn read_strings(
    ctx: Ctx<'_>,
    ds: &Dataset,
    element: &str,
) -> Result<Vec<String>, H5adError> {
    let td = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(ctx.err(element))?;
    match td {
        TypeDescriptor::VarLenUnicode => ds
            .read_raw::<VarLenUnicode>()
            .map(|v| v.iter().map(|s| s.as_str().to_string()).collect()),
        TypeDescriptor::VarLenAscii => ds
            .read_raw::<VarLenAscii>()
            .map(|v| v.iter().map(|s| s.as_str().to_string()).collect()),
        other => {
            return Err(ctx.unsupported(
                element,
                format!("stored as {other}, not variable-length text"),
                "re-save the file with anndata 0.8 or later (adata.write_h5ad)",
            ))
        }
    }
    .map_err(ctx.err(element))
}

/// The `encoding-type` attribute of an element, if any.
pub(crate) fn encoding(
    ctx: Ctx<'_>,
    loc: &Location,
    element: &str,
) -> Result<Option<String>, H5adError> {
    attr_string(ctx, loc, element, "encoding-type")
}

/// Text as an HDF5 variable-length UTF-8 string (NUL bytes cannot be stored).
pub(crate) fn to_vlen(ctx: Ctx<'_>, element: &str, text: &str) -> Result<VarLenUnicode, H5adError> {
    text.parse::<VarLenUnicode>().map_err(|_| H5adError::Ids {
        file: ctx.file.to_string(),
        problem: format!(
            "{element}: the text {text:?} holds a NUL character, which HDF5 strings cannot store; remove it"
        ),
    })
}

/// Writes a scalar string attribute.
pub(crate) fn set_attr(
    ctx: Ctx<'_>,
    loc: &Location,
    element: &str,
    name: &str,
    value: &str,
) -> Result<(), H5adError> {
    let what = format!("attribute {name:?} of {element}");
    let v = to_vlen(ctx, &what, value)?;
    loc.new_attr::<VarLenUnicode>()
        .shape(())
        .create(name)
        .and_then(|a| a.write_scalar(&v))
        .map_err(ctx.err(&what))
}

/// Writes the `encoding-type` and `encoding-version` attributes.
pub(crate) fn set_encoding(
    ctx: Ctx<'_>,
    loc: &Location,
    element: &str,
    kind: &str,
    version: &str,
) -> Result<(), H5adError> {
    set_attr(ctx, loc, element, "encoding-type", kind)?;
    set_attr(ctx, loc, element, "encoding-version", version)
}

/// Writes a 1-D string array with anndata's `string-array` encoding.
pub(crate) fn write_strings(
    ctx: Ctx<'_>,
    group: &Group,
    parent: &str,
    name: &str,
    values: &[&str],
) -> Result<(), H5adError> {
    let element = format!("{parent}/{name}");
    let data = values
        .iter()
        .map(|v| to_vlen(ctx, &element, v))
        .collect::<Result<Vec<_>, _>>()?;
    let ds = group
        .new_dataset_builder()
        .with_data(&data)
        .create(name)
        .map_err(ctx.err(&element))?;
    set_encoding(ctx, &ds, &element, "string-array", "0.2.0")
}

/// Creates a group with anndata's `dict` encoding.
pub(crate) fn dict_group(ctx: Ctx<'_>, parent: &Group, name: &str) -> Result<Group, H5adError> {
    let g = parent.create_group(name).map_err(ctx.err(name))?;
    set_encoding(ctx, &g, name, "dict", "0.1.0")?;
    Ok(g)
}
