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

const app = new cdk.App();
const stack = new cdk.Stack(app, 'PowertoolsExample');

// Extensions ship as layers: their zip holds extensions/<name>, which Lambda runs from /opt.
const layers = artifacts
  .filter((a) => a.kind === 'extension')
  .map((a) => new lambda.LayerVersion(stack, `${a.function}-layer`, {
    code: lambda.Code.fromAsset(zipOf(a)),
    compatibleArchitectures: [arch === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64],
  }));

for (const artifact of artifacts.filter((a) => a.kind === 'function')) {
  new lambda.Function(stack, artifact.function, {
    runtime: artifact.runtime === 'provided.al2' ? lambda.Runtime.PROVIDED_AL2 : lambda.Runtime.PROVIDED_AL2023,
    architecture: artifact.arch === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
    handler: 'bootstrap',
    code: lambda.Code.fromAsset(zipOf(artifact)),
    layers,
    memorySize: 128,
    timeout: cdk.Duration.seconds(5),
  });
}
