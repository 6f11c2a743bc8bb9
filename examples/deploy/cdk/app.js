// An AWS CDK app that deploys what `cargo powertools package` made: every function of the
// manifest, for one architecture, with its zip as the code asset (used as is, not re-zipped).
//
//   POWERTOOLS_MANIFEST=path/to/manifest.json POWERTOOLS_ARCH=arm64 npx cdk synth
const path = require('node:path');
const fs = require('node:fs');
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');

const manifestPath = path.resolve(
  process.env.POWERTOOLS_MANIFEST ?? path.join(__dirname, '../../workspace/target/powertools/manifest.json'),
);
const arch = process.env.POWERTOOLS_ARCH ?? 'arm64';
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
const artifacts = manifest.artifacts.filter((a) => a.arch === arch);
const zipOf = (artifact) => path.join(path.dirname(manifestPath), artifact.path);
const architecture = arch === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;

// The manifest's runtime is Lambda's own name for it: provided.al2023, provided.al2, python3.12, ...
const runtimeOf = (artifact) => new lambda.Runtime(
  artifact.runtime,
  artifact.language === 'python' ? lambda.RuntimeFamily.PYTHON : lambda.RuntimeFamily.OTHER,
);

const app = new cdk.App();
const stack = new cdk.Stack(app, 'PowertoolsExample');

// Rust extensions ship as layers (their zip holds extensions/<name>, which Lambda runs from /opt);
// they are attached to the Rust functions. Python layers hold python/<packages>.
const layerOf = (artifact) => new lambda.LayerVersion(stack, `${artifact.function}-layer`, {
  code: lambda.Code.fromAsset(zipOf(artifact)),
  compatibleArchitectures: [architecture],
});
const extensions = artifacts.filter((a) => a.kind === 'extension').map(layerOf);
artifacts.filter((a) => a.kind === 'layer').forEach(layerOf);

for (const artifact of artifacts.filter((a) => a.kind === 'function')) {
  new lambda.Function(stack, artifact.function, {
    runtime: runtimeOf(artifact),
    architecture,
    // OS-only runtimes start `bootstrap`; Python ones import the handler the manifest names.
    handler: artifact.handler ?? 'bootstrap',
    code: lambda.Code.fromAsset(zipOf(artifact)),
    layers: artifact.language === 'rust' ? extensions : [],
    memorySize: 128,
    timeout: cdk.Duration.seconds(5),
  });
}
