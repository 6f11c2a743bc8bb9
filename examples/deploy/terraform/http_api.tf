# An API Gateway HTTP API whose routes come from the OpenAPI document that
#   cargo powertools openapi --api http --placeholders terraform
# merged from the functions that opt in. Each operation's integration URI in that document is a
# template variable, `${<function>_invoke_arn}` (`-` becomes `_`), which templatefile() fills with
# the invoke ARN of the function of that name, created in main.tf.

locals {
  openapi = jsondecode(file(var.manifest)).openapi
}

resource "aws_apigatewayv2_api" "http" {
  name          = "powertools-example"
  protocol_type = "HTTP"
  body = templatefile("${local.manifest_dir}/${local.openapi.path}", {
    for name, f in aws_lambda_function.function : "${replace(name, "-", "_")}_invoke_arn" => f.invoke_arn
  })
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true
}

# API Gateway may invoke each function that serves operations of the document.
resource "aws_lambda_permission" "http_api" {
  for_each      = toset(local.openapi.functions)
  function_name = aws_lambda_function.function[each.key].function_name
  action        = "lambda:InvokeFunction"
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*"
}

output "api_url" {
  value = aws_apigatewayv2_api.http.api_endpoint
}
