//! Splitting the app's wasm at its split points (`#[wasm_split]` functions, as in
//! `app/src/lazy_routes.rs`, and Leptos's `#[lazy]`), before wasm-bindgen, with the
//! `wasm_split_cli_support` library.
//!
//! The app marks split points with `wasm_split_helpers` (re-exported by Leptos as
//! `leptos::wasm_split`), which records them in the `__wasm_split_unstable` custom section and
//! imports each lazily loaded function from a placeholder module. The splitter needs the linker's
//! relocations to tell which code belongs to which split point, hence `--emit-relocs` on the wasm
//! build (see [`RUSTFLAG`]). It writes:
//!
//! - the main module, whose placeholder imports now come from the link module [`LINK_PLACEHOLDER`];
//!   wasm-bindgen turns that into a static `import` of the link module in its glue;
//! - one `.wasm` file per split point, plus shared chunks for code several split points use;
//! - the link module (`__wasm_split.js`), which fetches those files relative to its own URL on
//!   first use, instantiates them against the main module's exports (it imports the glue, named
//!   [`GLUE_PLACEHOLDER`] until the glue's final name is known) and calls back into the main
//!   module.
//!
//! With no split points the main module is the whole app and no chunk is written; the link module
//! is then not imported by anything and is not shipped.
//!
//! `web.rs` then runs wasm-bindgen on the main module (keeping the linker's exports the chunks
//! import, and the symbol names as they are), wasm-opt on every module, and gives each file a
//! content hash with [`name_files`].

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The extra rustc flag the split needs on the wasm build: keep relocations in the linked module.
pub const RUSTFLAG: &str = "-Clink-args=--emit-relocs";

/// What the main module imports the chunk loaders from, until [`name_files`] names the link
/// module by its content.
pub const LINK_PLACEHOLDER: &str = "./__wasm_split.______________________.js";

/// What the link module imports the wasm-bindgen glue from, until the glue has its final name.
pub const GLUE_PLACEHOLDER: &str = "./__aegis_glue.______________________.js";

/// What the splitter wrote.
#[derive(Debug)]
pub struct Split {
    /// The main module, for wasm-bindgen.
    pub main: PathBuf,
    /// The modules loaded on demand, by file name (`<stem>.wasm`), in `out`.
    pub chunks: Vec<String>,
    /// The link module, when there is at least one split point.
    pub link: Option<PathBuf>,
}

/// Splits `input` into `out` (cleared first); `name` is the output name the main module is
/// written under (`<name>_split.wasm`).
pub fn split(input: &Path, out: &Path, name: &str) -> Result<Split> {
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("clearing {}", out.display()))?;
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let wasm = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let main = out.join(format!("{name}_split.wasm"));
    let mut options = wasm_split_cli_support::Options::new(&wasm);
    options.output_dir = out;
    options.main_out_path = &main;
    options.main_module = GLUE_PLACEHOLDER;
    options.link_name = LINK_PLACEHOLDER;
    options.target.web();
    let result = wasm_split_cli_support::transform(options)
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .with_context(|| format!("splitting {}", input.display()))?;
    let mut chunks = Vec::new();
    for path in &result.split_modules {
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            bail!("the splitter wrote an unnamed module: {}", path.display());
        };
        if path.parent() != Some(out) || !file.ends_with(".wasm") {
            bail!(
                "the splitter wrote {} outside {}",
                path.display(),
                out.display()
            );
        }
        chunks.push(file.to_owned());
    }
    chunks.sort();
    let link = out.join(LINK_PLACEHOLDER);
    let link = (!chunks.is_empty() && link.is_file()).then_some(link);
    Ok(Split { main, chunks, link })
}

/// The final names of the glue and the link module, and their final texts.
#[derive(Debug, PartialEq)]
pub struct Named {
    pub glue_file: String,
    pub glue: String,
    /// `(file name, text)` of the link module, when the glue imports one.
    pub link: Option<(String, String)>,
}

/// Names the glue and the link module by their content and points each at the other's final name.
///
/// `chunks` maps each chunk's file name as the splitter wrote it to the content-hashed name it is
/// shipped under; the link module's references are rewritten first. The two files import each
/// other, so neither name can hash the other's final text: the glue's name hashes both texts as
/// they stand with the placeholders (which determines everything in both), and the link module's
/// name hashes its final text.
pub fn name_files(
    name: &str,
    glue: &str,
    link: Option<&str>,
    chunks: &[(String, String)],
    hash: impl Fn(&[u8]) -> String,
) -> Result<Named> {
    let link = match link {
        Some(link) if glue.contains(LINK_PLACEHOLDER) => link,
        _ => {
            if glue.contains(LINK_PLACEHOLDER) {
                bail!("the glue imports {LINK_PLACEHOLDER} but the splitter wrote no link module");
            }
            return Ok(Named {
                glue_file: format!("{name}-{}.js", hash(glue.as_bytes())),
                glue: glue.to_owned(),
                link: None,
            });
        }
    };
    let mut link = link.to_owned();
    for (from, to) in chunks {
        let quoted = format!("\"./{from}\"");
        if !link.contains(&quoted) {
            bail!("the link module does not load {from}");
        }
        link = link.replace(&quoted, &format!("\"./{to}\""));
    }
    if !link.contains(GLUE_PLACEHOLDER) {
        bail!("the link module does not import {GLUE_PLACEHOLDER}");
    }
    let glue_file = format!("{name}-{}.js", hash(format!("{glue}\n{link}").as_bytes()));
    let link = link.replace(GLUE_PLACEHOLDER, &format!("./{glue_file}"));
    let link_file = format!("{name}-split-{}.js", hash(link.as_bytes()));
    // Only the import specifiers: the main module still names its imports' module
    // LINK_PLACEHOLDER, so the glue's import object must keep that key.
    let mut glue = glue.to_owned();
    for quote in ['"', '\''] {
        glue = glue.replace(
            &format!("from {quote}{LINK_PLACEHOLDER}{quote}"),
            &format!("from {quote}./{link_file}{quote}"),
        );
    }
    if !glue.contains(&format!("./{link_file}")) {
        bail!("the glue has no `import ... from` the link module");
    }
    Ok(Named {
        glue_file,
        glue,
        link: Some((link_file, link)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(bytes: &[u8]) -> String {
        format!("{:08x}", bytes.iter().map(|&b| u32::from(b)).sum::<u32>())
    }

    #[test]
    fn without_split_points_only_the_glue_is_named() -> Result<()> {
        let named = name_files("aegis", "glue", Some("link"), &[], hash)?;
        assert_eq!(named.glue_file, format!("aegis-{}.js", hash(b"glue")));
        assert_eq!(named.glue, "glue");
        assert_eq!(named.link, None);
        Ok(())
    }

    #[test]
    fn glue_and_link_module_point_at_each_others_final_names() -> Result<()> {
        let glue = format!(
            "import * as s from '{LINK_PLACEHOLDER}';\nconst imports = {{ '{LINK_PLACEHOLDER}': s }};"
        );
        let link = format!(
            "import {{ initSync }} from \"{GLUE_PLACEHOLDER}\";\nfetch(new URL(\"./split_a.wasm\", import.meta.url));"
        );
        let chunks = [("split_a.wasm".to_owned(), "split_a-1234.wasm".to_owned())];
        let named = name_files("aegis", &glue, Some(&link), &chunks, hash)?;
        let (link_file, link_text) = named.link.clone().expect("a link module");
        assert!(named.glue.contains(&format!("from './{link_file}'")));
        // The import object's key stays what the main module's imports name.
        assert!(named
            .glue
            .contains(&format!("{{ '{LINK_PLACEHOLDER}': s }}")));
        assert!(link_text.contains(&format!("\"./{}\"", named.glue_file)));
        assert!(link_text.contains("\"./split_a-1234.wasm\""));
        assert!(!link_text.contains("split_a.wasm"));
        assert_eq!(
            link_file,
            format!("aegis-split-{}.js", hash(link_text.as_bytes()))
        );
        // Another chunk changes both names.
        let other = [("split_a.wasm".to_owned(), "split_a-9999.wasm".to_owned())];
        let again = name_files("aegis", &glue, Some(&link), &other, hash)?;
        assert_ne!(again.glue_file, named.glue_file);
        assert_ne!(again.link.map(|l| l.0), Some(link_file));
        Ok(())
    }

    #[test]
    fn a_chunk_the_link_module_does_not_load_is_an_error() {
        let glue = format!("import * as s from '{LINK_PLACEHOLDER}';");
        let link = format!("import {{ initSync }} from \"{GLUE_PLACEHOLDER}\";");
        let chunks = [("split_b.wasm".to_owned(), "split_b-1.wasm".to_owned())];
        assert!(name_files("aegis", &glue, Some(&link), &chunks, hash).is_err());
    }
}
