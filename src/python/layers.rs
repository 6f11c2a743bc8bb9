//! Which layers a function runs with: every name must be a Python layer of the same configuration,
//! packaged for each of the function's architectures.
use super::{PythonError, PythonFunction};

/// Checks every function's `layers` against the layers among `functions`.
pub fn check_references(functions: &[PythonFunction]) -> Result<(), PythonError> {
    let layers: Vec<&PythonFunction> = functions.iter().filter(|f| f.layer).collect();
    for function in functions {
        for name in &function.layers {
            let Some(layer) = layers.iter().find(|l| l.name == *name) else {
                return Err(PythonError::UnknownLayer {
                    name: function.name.clone(),
                    layer: name.clone(),
                    declared_in: function.declared_in.clone(),
                    known: layers.iter().map(|l| l.name.clone()).collect(),
                });
            };
            if let Some(&arch) = function
                .architectures
                .iter()
                .find(|a| !layer.architectures.contains(a))
            {
                return Err(PythonError::LayerArchitecture {
                    name: function.name.clone(),
                    layer: name.clone(),
                    arch,
                    declared_in: function.declared_in.clone(),
                });
            }
        }
    }
    Ok(())
}
