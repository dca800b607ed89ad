//! From a config entry to a surface and its ports: the mapping is found and
//! loaded, checked against the units the config lists, and the protocol it
//! names is built.

use super::mackie::Mackie;
use super::mapping::{self, GenericSurface, MappingFile};
use super::ports::Endpoint;
use super::Surface;
use crate::config::SurfaceConfig;
use crate::control::model::{Mix, Origin};
use crate::yaml::{Errors, Located};
use std::path::{Path, PathBuf};

/// A surface ready to run, and where each of its units lives.
pub struct Opened {
    pub surface: Box<dyn Surface>,
    pub endpoints: Vec<Endpoint>,
}

/// Where a mapping name (not a path) is looked up, in order: beside the
/// config file, the system's config, the installed package, and the source
/// tree this binary was built from.
pub fn mapping_dirs(config_file: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = config_file.and_then(Path::parent) {
        dirs.push(dir.join("mappings"));
    }
    dirs.push(PathBuf::from("/etc/mixbridge/mappings"));
    dirs.push(PathBuf::from("/usr/share/mixbridge/mappings"));
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings"));
    dirs
}

/// Load the mapping of surface `index` and build its protocol for `mix`.
pub fn open(
    config: &SurfaceConfig,
    index: usize,
    mix: &Mix,
    base: Option<&Path>,
    dirs: &[PathBuf],
) -> Result<Opened, Errors> {
    let path = mapping::resolve(&config.mapping, base, dirs)?;
    let origin = Origin::Surface(index as u16);
    let main = match &config.virtual_port {
        Some(name) => Endpoint::Virtual(name.clone()),
        None => Endpoint::Patterns {
            input: config.input.clone(),
            output: config.output.clone(),
        },
    };
    let extenders = config.extenders.iter().map(|e| Endpoint::Patterns {
        input: e.input.clone(),
        output: e.output.clone(),
    });
    let endpoints: Vec<Endpoint> = std::iter::once(main).chain(extenders).collect();
    let surface: Box<dyn Surface> = match mapping::load(&path)? {
        MappingFile::Generic(m) => {
            if !config.extenders.is_empty() {
                return Err(whole(
                    &path,
                    "the config lists extenders for this surface, but only Mackie mappings have extender units",
                ));
            }
            Box::new(GenericSurface::new(m, origin, mix))
        }
        MappingFile::Mackie(options) => {
            let wanted = usize::from(options.extenders);
            if wanted != config.extenders.len() {
                return Err(whole(
                    &path,
                    format!(
                        "the mapping has {wanted} extender unit(s) but the config lists {} under `extenders` for it",
                        config.extenders.len()
                    ),
                ));
            }
            Box::new(Mackie::new(options, origin, mix).map_err(|e| whole(&path, e))?)
        }
    };
    Ok(Opened { surface, endpoints })
}

fn whole(path: &Path, message: impl Into<String>) -> Errors {
    Located::whole(path, message).into()
}
