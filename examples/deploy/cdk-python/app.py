"""An AWS CDK app in Python that deploys what `cargo-powertools package` made: every function of
the manifest, for one architecture, with its zip as the code asset (used as is, not re-zipped),
and the layers each function's manifest entry names.

    POWERTOOLS_MANIFEST=path/to/manifest.json POWERTOOLS_ARCH=arm64 cdk synth
"""

import json
import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

HERE = Path(__file__).resolve().parent
manifest_path = Path(
    os.environ.get(
        "POWERTOOLS_MANIFEST", HERE / "../../workspace/target/powertools/manifest.json"
    )
).resolve()
arch = os.environ.get("POWERTOOLS_ARCH", "arm64")
manifest = json.loads(manifest_path.read_text())
artifacts = [a for a in manifest["artifacts"] if a["arch"] == arch]
architecture = lambda_.Architecture.ARM_64 if arch == "arm64" else lambda_.Architecture.X86_64


def zip_of(artifact):
    return str(manifest_path.parent / artifact["path"])


def runtime_of(artifact):
    # The manifest's runtime is Lambda's own name for it: provided.al2023, python3.12, ...
    family = (
        lambda_.RuntimeFamily.PYTHON
        if artifact["language"] == "python"
        else lambda_.RuntimeFamily.OTHER
    )
    return lambda_.Runtime(artifact["runtime"], family)


app = cdk.App()
stack = cdk.Stack(app, "PowertoolsPythonExample")

# Rust extensions ship as layers (their zip holds extensions/<name>, which Lambda runs from /opt)
# and go to every Rust function; Python layers (python/<packages>) go to the functions whose
# manifest entry lists them.
layers = {
    a["function"]: lambda_.LayerVersion(
        stack,
        f"{a['function']}-layer",
        code=lambda_.Code.from_asset(zip_of(a)),
        compatible_architectures=[architecture],
    )
    for a in artifacts
    if a["kind"] in ("extension", "layer")
}
extensions = [layers[a["function"]] for a in artifacts if a["kind"] == "extension"]

for artifact in (a for a in artifacts if a["kind"] == "function"):
    if artifact["language"] == "rust":
        function_layers = extensions
    else:
        function_layers = [layers[name] for name in artifact.get("layers", [])]
    lambda_.Function(
        stack,
        artifact["function"],
        runtime=runtime_of(artifact),
        architecture=architecture,
        # OS-only runtimes start `bootstrap`; Python ones import the handler the manifest names.
        handler=artifact.get("handler") or "bootstrap",
        code=lambda_.Code.from_asset(zip_of(artifact)),
        layers=function_layers,
        environment=artifact.get("environment") or None,
        memory_size=128,
        timeout=cdk.Duration.seconds(5),
    )

app.synth()
