# Terraform for the zips `cargo powertools package` made, read from its manifest: one function per
# function artifact (Rust or Python) of the chosen architecture, extensions as layers. source_code_hash is the
# manifest's code_sha256 (base64 SHA-256, what filebase64sha256() would compute and what Lambda
# reports as CodeSha256), so Terraform redeploys exactly when a zip's bytes change.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "manifest" {
  description = "Path of the manifest.json that cargo powertools package wrote."
  type        = string
  default     = "../../workspace/target/powertools/manifest.json"
}

variable "architecture" {
  description = "x86_64 or arm64."
  type        = string
  default     = "arm64"
}

locals {
  manifest_dir = dirname(var.manifest)
  artifacts    = [for a in jsondecode(file(var.manifest)).artifacts : a if a.arch == var.architecture]
  functions    = { for a in local.artifacts : a.function => a if a.kind == "function" }
  extensions   = { for a in local.artifacts : a.function => a if a.kind == "extension" }
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name_prefix        = "powertools-example-"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.lambda.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_layer_version" "extension" {
  for_each                 = local.extensions
  layer_name               = each.key
  filename                 = "${local.manifest_dir}/${each.value.path}"
  source_code_hash         = each.value.code_sha256
  compatible_architectures = [each.value.arch]
  compatible_runtimes      = [each.value.runtime]
}

resource "aws_lambda_function" "function" {
  for_each         = local.functions
  function_name    = each.key
  role             = aws_iam_role.lambda.arn
  filename         = "${local.manifest_dir}/${each.value.path}"
  source_code_hash = each.value.code_sha256
  # OS-only runtimes start `bootstrap`; a Python function's handler is in the manifest.
  handler          = try(each.value.handler, "bootstrap")
  runtime          = each.value.runtime
  architectures    = [each.value.arch]
  layers           = [for layer in aws_lambda_layer_version.extension : layer.arn]
  memory_size      = 128
  timeout          = 5
}

output "function_arns" {
  value = { for name, f in aws_lambda_function.function : name => f.arn }
}
