//! `cargo powertools openapi`: the functions that opt in give their fragments (a file, a command,
//! or their own spec route, invoked), and one validated document comes out.
use crate::support::*;
use serde_json::{Value, json};
use sha2::Digest;
use std::path::{Path, PathBuf};

/// A 3.1 fragment with one GET operation answering a schema of its own.
fn fragment(path: &str, operation_id: &str, schema: &str, properties: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": operation_id, "version": "1.0.0" },
        "paths": { path: { "get": {
            "operationId": operation_id,
            "tags": ["shop"],
            "responses": { "200": {
                "description": "ok",
                "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
            } }
        } } },
        "components": { "schemas": { schema: { "type": "object", "properties": properties } } },
        "tags": [{ "name": "shop", "description": "The shop" }]
    })
}

/// A copy of the example without its own opt-ins (whose `route`s need the packaged functions).
fn example_opted_out() -> ExampleCopy {
    let example = example_copy();
    for manifest in ["functions/catalog/Cargo.toml", "Cargo.toml"] {
        let manifest = example.path().join(manifest);
        let text = std::fs::read_to_string(&manifest).unwrap();
        let without: String = text
            .lines()
            .filter(|l| !l.starts_with("openapi = "))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(
            text,
            without,
            "{} opts in with `openapi = ...`",
            manifest.display()
        );
        std::fs::write(&manifest, without).unwrap();
    }
    example
}

/// `openapi` in the workspace of `example`, with its target directory beside the workspace.
fn openapi_in(example: &ExampleCopy) -> assert_cmd::Command {
    let mut command = powertools();
    command
        .current_dir(example.path())
        .env("CARGO_TARGET_DIR", example.outer.path().join("target"))
        .arg("openapi");
    command
}

/// The example workspace with greeter (a `file`), orders (a `command`) and orders-py (a
/// `command` run by Python) opted in instead, its target directory inside the temporary directory.
struct OptedIn {
    example: ExampleCopy,
}

impl OptedIn {
    fn new() -> OptedIn {
        let example = example_opted_out();
        let write = |rel: &str, value: &Value| {
            std::fs::write(
                example.path().join(rel),
                serde_json::to_vec_pretty(value).unwrap(),
            )
            .unwrap()
        };
        let mut greeter = fragment(
            "/greetings/{name}",
            "greet",
            "Greeting",
            json!({ "message": { "type": "string" } }),
        );
        greeter["paths"]["/greetings/{name}"]["parameters"] = json!([
            { "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }
        ]);
        write("functions/greeter/openapi.json", &greeter);
        write(
            "functions/orders/spec.json",
            &fragment(
                "/orders",
                "listOrders",
                "Order",
                json!({ "id": { "type": "string" } }),
            ),
        );
        write(
            "python/orders-py/spec.json",
            &fragment(
                "/prices",
                "listPrices",
                "Price",
                json!({ "cents": { "type": "integer" } }),
            ),
        );
        example.append_to_manifest(
            "functions/greeter",
            "openapi = { file = \"openapi.json\" }\n",
        );
        example.append_to_manifest(
            "functions/orders",
            "\n[package.metadata.powertools]\nopenapi = { command = [\"cat\", \"spec.json\"] }\n",
        );
        let root = example.path().join("Cargo.toml");
        let text = std::fs::read_to_string(&root).unwrap().replace(
            "path = \"python/orders-py\"\n",
            "path = \"python/orders-py\"\nopenapi = { command = [\"python3\", \"-c\", \"print(open('spec.json').read())\"] }\n",
        );
        std::fs::write(&root, text).unwrap();
        example.append_to_manifest(
            "",
            "\n[workspace.metadata.powertools.openapi]\ntitle = \"Shop\"\nversion = \"2.0.0\"\nservers = [\"https://api.example.com\"]\n",
        );
        OptedIn { example }
    }

    fn target_dir(&self) -> PathBuf {
        self.example.outer.path().join("target")
    }

    fn document_path(&self) -> PathBuf {
        self.target_dir().join("powertools/openapi.json")
    }

    fn openapi(&self) -> assert_cmd::Command {
        openapi_in(&self.example)
    }

    fn write(&self, rel: &str, value: &Value) {
        std::fs::write(
            self.example.path().join(rel),
            serde_json::to_vec_pretty(value).unwrap(),
        )
        .unwrap();
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// `openapi-spec-validator FILE` (PyPI), installed by `.ci/setup`.
fn assert_valid_openapi(path: &Path) {
    let output =
        std::process::Command::new(tools_dir().join("deploy-venv/bin/openapi-spec-validator"))
            .arg(path)
            .output()
            .unwrap();
    assert!(
        output.status.success(),
        "openapi-spec-validator rejects {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Each operation's `x-powertools-function`, as `METHOD path → function`.
fn functions_of(document: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if let Some(function) = operation["x-powertools-function"].as_str() {
                found.push(format!("{} {path} → {function}", method.to_uppercase()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn file_and_command_fragments_merge_into_one_valid_document() {
    let opted = OptedIn::new();
    let output = run(opted
        .openapi()
        .args(["--api", "http", "--message-format", "json"]));
    assert!(output.status.success(), "{}", stderr(&output));
    let document = read_json(&opted.document_path());
    assert_eq!(
        functions_of(&document),
        [
            "GET /greetings/{name} → greeter",
            "GET /orders → orders",
            "GET /prices → orders-py",
        ]
    );
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(
        document["info"],
        json!({ "title": "Shop", "version": "2.0.0" })
    );
    assert_eq!(
        document["servers"],
        json!([{ "url": "https://api.example.com" }])
    );
    assert_eq!(
        document["tags"],
        json!([{ "name": "shop", "description": "The shop" }])
    );
    let schemas: Vec<&String> = document["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(schemas, ["Greeting", "Order", "Price"]);
    let integration = &document["paths"]["/prices"]["get"]["x-amazon-apigateway-integration"];
    assert_eq!(integration["payloadFormatVersion"], "2.0");
    assert_eq!(
        integration["uri"]["Fn::Sub"],
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${OrdersPyFunction.Arn}/invocations"
    );

    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let fragments: Vec<&str> = lines
        .iter()
        .filter(|l| l["reason"] == "fragment")
        .map(|l| l["function"].as_str().unwrap())
        .collect();
    assert_eq!(fragments, ["greeter", "orders", "orders-py"]);
    assert_snapshot(
        "openapi_json_stream",
        &stdout(&output),
        &[(&opted.example.path(), "[EXAMPLE]")],
    );
    // A `command` source is announced as every program run is, pastable into a shell.
    let log = stderr(&output);
    let running: Vec<&str> = log
        .lines()
        .filter(|l| l.trim_start().starts_with("Running "))
        .collect();
    assert_eq!(
        running,
        [
            "     Running `cat spec.json`",
            "     Running `python3 -c 'print(open('\\''spec.json'\\'').read())'`",
        ],
        "{log}"
    );
    let written = lines.iter().find(|l| l["reason"] == "openapi").unwrap();
    assert_eq!(written["operations"], 3);
    assert_eq!(written["placeholders"]["greeter"], "GreeterFunction");
    assert_eq!(lines.last().unwrap()["reason"], "finished");
    assert_eq!(lines.last().unwrap()["success"], true);

    if require_tools(&["openapi-spec-validator"]) {
        assert_valid_openapi(&opted.document_path());
    }
}

#[test]
fn a_path_served_twice_names_both_functions_and_leaves_the_earlier_document() {
    let opted = OptedIn::new();
    let first = run(&mut opted.openapi());
    assert!(first.status.success(), "{}", stderr(&first));
    let before = std::fs::read(opted.document_path()).unwrap();

    // orders now also serves GET /greetings/{name}.
    let mut orders = fragment(
        "/greetings/{name}",
        "greetFromOrders",
        "Order",
        json!({ "id": { "type": "string" } }),
    );
    orders["paths"]["/greetings/{name}"]["get"]["parameters"] =
        json!([{ "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }]);
    opted.write("functions/orders/spec.json", &orders);
    let stderr = fails(&mut opted.openapi());
    assert!(
        stderr.contains(
            "error: GET /greetings/{name} is served by two functions, `greeter` and `orders`\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("help: serve each path and method from one function, or pick one with `--on-conflict first` or `--on-conflict last`"), "{stderr}");
    assert_eq!(
        std::fs::read(opted.document_path()).unwrap(),
        before,
        "the earlier document changed"
    );

    let stderr = succeeds(opted.openapi().args(["--on-conflict", "last"]));
    assert!(
        stderr.contains("warning: GET /greetings/{name} is served by `greeter` and `orders`; kept `orders`'s (--on-conflict last)"),
        "{stderr}"
    );
    assert_eq!(
        functions_of(&read_json(&opted.document_path()))[0],
        "GET /greetings/{name} → orders"
    );
}

#[test]
fn a_component_clash_names_both_functions_unless_components_are_prefixed() {
    let opted = OptedIn::new();
    // orders' schema is also called Greeting, with other properties.
    opted.write(
        "functions/orders/spec.json",
        &fragment(
            "/orders",
            "listOrders",
            "Greeting",
            json!({ "id": { "type": "string" } }),
        ),
    );
    let stderr = fails(&mut opted.openapi());
    assert!(
        stderr.contains("error: component #/components/schemas/Greeting differs between functions `greeter` and `orders`\n"),
        "{stderr}"
    );
    assert!(
        !opted.document_path().exists(),
        "a failed run writes nothing"
    );

    succeeds(opted.openapi().arg("--prefix-components"));
    let document = read_json(&opted.document_path());
    let schemas: Vec<&String> = document["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(schemas, ["GreeterGreeting", "OrdersGreeting", "Price"]);
    let schema = &document["paths"]["/orders"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(schema["$ref"], "#/components/schemas/OrdersGreeting");
    if require_tools(&["openapi-spec-validator"]) {
        assert_valid_openapi(&opted.document_path());
    }
}

#[test]
fn without_a_function_opted_in_it_says_how_to_opt_in() {
    let example = example_opted_out();
    let stderr = fails(&mut openapi_in(&example));
    assert!(
        stderr.contains("error: no function takes part in the OpenAPI document\n"),
        "{stderr}"
    );
    assert!(stderr.contains("help: opt functions in, in "), "{stderr}");
    assert!(
        stderr.contains("`openapi = { route = \"/openapi.json\" }`"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_openapi_key_names_the_file_and_field() {
    let example = example_opted_out();
    example.append_to_manifest(
        "functions/greeter",
        "openapi = { route = \"/a\", file = \"b\" }\n",
    );
    let stderr = fails(&mut openapi_in(&example));
    assert!(
        stderr.contains("functions/greeter/Cargo.toml: `openapi`: set exactly one of `route`, `file` or `command`"),
        "{stderr}"
    );
}

#[test]
fn a_fragment_that_is_not_openapi_or_has_a_dangling_ref_is_named() {
    let opted = OptedIn::new();
    std::fs::write(
        opted.example.path().join("functions/orders/spec.json"),
        "<html>oops</html>",
    )
    .unwrap();
    let stderr = fails(&mut opted.openapi());
    assert!(
        stderr.contains(
            "error: `orders`: not an OpenAPI document: its command `cat spec.json` is not JSON"
        ),
        "{stderr}"
    );
    let mut dangling = fragment("/orders", "listOrders", "Order", json!({}));
    dangling["paths"]["/orders"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        ["$ref"] = json!("#/components/schemas/Missing");
    opted.write("functions/orders/spec.json", &dangling);
    let output = run(&mut opted.openapi());
    assert!(
        crate::support::stderr(&output).contains("error: `orders`: $ref \"#/components/schemas/Missing\" at /paths/~1orders/get/responses/200/content/application~1json/schema points at nothing"),
        "{}",
        crate::support::stderr(&output)
    );
}

/// The example's opted-in functions give their documents: `catalog` (lambda_http + utoipa) through
/// its own route, invoked from its packaged zip with an HTTP API `GET /openapi.json`; `reviews-py`
/// (Powertools for AWS Lambda's APIGatewayHttpResolver) with `GET /swagger?format=json`.
#[test]
fn the_example_s_functions_serve_their_documents_through_their_routes() {
    if !require_tools(PACKAGING_TOOLS) || !require_tools(&["openapi-spec-validator"]) {
        return;
    }
    let out = earlier_output();
    let example = example_copy();
    let output = run(powertools()
        .current_dir(example.path())
        .args([
            "openapi",
            "--api",
            "http",
            "--message-format",
            "json",
            "--out-dir",
        ])
        .arg(out.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    let path = out.path().join("openapi.json");
    let document = read_json(&path);
    assert_eq!(
        functions_of(&document),
        [
            "GET /items → catalog",
            "GET /items/{id} → catalog",
            "GET /reviews → reviews-py",
            "GET /reviews/{review_id} → reviews-py",
        ]
    );
    assert_eq!(
        document["openapi"], "3.1.0",
        "utoipa 6 and Powertools write OpenAPI 3.1"
    );
    let schemas: Vec<&String> = document["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        schemas,
        [
            "HTTPValidationError",
            "Item",
            "ResponseValidationError",
            "Review",
            "ValidationError"
        ]
    );
    assert_eq!(
        document["info"]["title"], "workspace",
        "the directory's name"
    );
    assert_eq!(
        document["paths"]["/items/{id}"]["get"]["parameters"][0]["name"],
        "id"
    );
    assert_valid_openapi(&path);

    let manifest = read_manifest(out.path());
    let listed = &manifest["openapi"];
    assert_eq!(listed["path"], "openapi.json");
    assert_eq!(listed["functions"], json!(["catalog", "reviews-py"]));
    let digest = sha2::Sha256::digest(std::fs::read(&path).unwrap());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(listed["sha256"], hex);
    // The manifest still verifies: its artifacts were left as they were.
    let output = run(powertools()
        .arg("verify")
        .arg(out.path().join("manifest.json")));
    assert!(output.status.success(), "{}", stderr(&output));
}

/// The example's packaged output under `examples/workspace/target/powertools` of a new directory
/// (where the deployment examples' relative paths point), with `openapi` run on it with `args`.
fn deployable(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("examples/workspace/target/powertools");
    std::fs::create_dir_all(&out).unwrap();
    // An output directory's zips and manifest are links into its current generation: copy them
    // as links.
    copy_tree(earlier_output().path(), &out);
    let example = example_copy();
    let output = run(powertools()
        .current_dir(example.path())
        .arg("openapi")
        .args(args)
        .arg("--out-dir")
        .arg(&out));
    assert!(output.status.success(), "{}", stderr(&output));
    (dir, out)
}

/// Every `${...}` of a text, in order.
fn template_variables(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let end = after.find('}').unwrap();
        let escaped = start > 0 && rest.as_bytes()[start - 1] == b'$';
        if !escaped {
            found.push(after[..end].to_string());
        }
        rest = &after[end..];
    }
    found
}

#[test]
fn the_sam_http_api_includes_the_document_and_declares_every_function_it_names() {
    if !require_tools(PACKAGING_TOOLS) || !require_tools(&["sam"]) {
        return;
    }
    let (dir, out) = deployable(&["--api", "http"]);
    let sam_dir = dir.path().join("examples/deploy/sam");
    std::fs::create_dir_all(&sam_dir).unwrap();
    let template =
        std::fs::read_to_string(repo_root().join("examples/deploy/sam/http-api.yaml")).unwrap();
    std::fs::write(sam_dir.join("http-api.yaml"), &template).unwrap();

    let output = std::process::Command::new(tools_dir().join("deploy-venv/bin/sam"))
        .args([
            "validate",
            "--lint",
            "--template",
            "http-api.yaml",
            "--region",
            "us-east-1",
        ])
        .current_dir(&sam_dir)
        .env("SAM_CLI_TELEMETRY", "0")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && text.contains("is a valid SAM Template"),
        "{text}"
    );

    // `sam validate` does not read what AWS::Include includes: check what it would fill in.
    let location = template
        .lines()
        .find_map(|l| l.trim().strip_prefix("Location: "))
        .unwrap();
    assert_eq!(
        std::fs::canonicalize(sam_dir.join(location)).unwrap(),
        std::fs::canonicalize(out.join("openapi.json")).unwrap()
    );
    let document = std::fs::read_to_string(out.join("openapi.json")).unwrap();
    let mut resources: Vec<String> = template_variables(&document)
        .into_iter()
        .filter(|v| !v.starts_with("AWS::"))
        .collect();
    resources.sort();
    resources.dedup();
    assert_eq!(resources, ["CatalogFunction.Arn", "ReviewsPyFunction.Arn"]);
    for resource in resources {
        let name = resource.trim_end_matches(".Arn");
        assert!(
            template.contains(&format!(
                "\n  {name}:\n    Type: AWS::Serverless::Function\n"
            )),
            "http-api.yaml declares {name}"
        );
        assert!(
            template.contains(&format!("FunctionName: !Ref {name}\n")),
            "http-api.yaml lets API Gateway invoke {name}"
        );
    }
    for uri in template
        .lines()
        .filter_map(|l| l.trim().strip_prefix("CodeUri: "))
    {
        assert!(sam_dir.join(uri).is_file(), "{uri} exists");
    }
}

#[test]
fn the_terraform_http_api_fills_every_placeholder_with_templatefile() {
    if !require_tools(PACKAGING_TOOLS) || !require_tools(&["python-hcl2"]) {
        return;
    }
    let tf = repo_root().join("examples/deploy/terraform/http_api.tf");
    let parsed = terraform_file(&tf);
    let api = &parsed["aws_apigatewayv2_api.http"];
    assert_eq!(api["protocol_type"], "\"HTTP\"");
    assert_eq!(
        api["body"],
        "${templatefile(\"${local.manifest_dir}/${local.openapi.path}\", {for name, f in aws_lambda_function.function : \"${replace(name, \"-\", \"_\")}_invoke_arn\" => f.invoke_arn})}"
    );
    assert_eq!(
        parsed["locals"][0]["openapi"],
        "${jsondecode(file(var.manifest)).openapi}"
    );
    assert_eq!(
        parsed["aws_lambda_permission.http_api"]["for_each"],
        "${toset(local.openapi.functions)}"
    );

    // templatefile() with the variables that map makes: one per function of the manifest.
    let (_dir, out) = deployable(&["--api", "http", "--placeholders", "terraform"]);
    let manifest = read_manifest(&out);
    let path = out.join(manifest["openapi"]["path"].as_str().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let variables: std::collections::BTreeMap<String, String> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "function")
        .map(|a| {
            let name = a["function"].as_str().unwrap();
            (
                format!("{}_invoke_arn", name.replace('-', "_")),
                format!("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{name}/invocations"),
            )
        })
        .collect();
    let mut filled = text.clone();
    for variable in template_variables(&text) {
        let value = variables
            .get(&variable)
            .unwrap_or_else(|| panic!("templatefile would fail: no variable {variable}"));
        filled = filled.replacen(&format!("${{{variable}}}"), value, 1);
    }
    let filled = filled.replace("$${", "${").replace("%%{", "%{");
    let document: Value = serde_json::from_str(&filled).unwrap();
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let function = operation["x-powertools-function"].as_str().unwrap();
            assert_eq!(
                operation["x-amazon-apigateway-integration"]["uri"],
                json!(variables[&format!("{}_invoke_arn", function.replace('-', "_"))])
            );
        }
    }
}

/// A Python function's `route`: Powertools' `enable_swagger` answers `GET /swagger?format=json`
/// from the packaged zip, run with its runtime's CPython against the emulator.
#[test]
fn a_python_function_s_route_is_invoked_from_its_zip() {
    if !require_tools(&["cargo-lambda", "uv", "python3.11"]) {
        return;
    }
    let example = example_opted_out();
    let root = example.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&root).unwrap().replace(
        "path = \"python/reviews-py\"\n",
        "path = \"python/reviews-py\"\nopenapi = { route = \"/swagger?format=json\" }\n",
    );
    std::fs::write(&root, text).unwrap();
    let target = example.outer.path().join("target");
    let output = run(powertools()
        .current_dir(example.path())
        .env("CARGO_TARGET_DIR", &target)
        .args(["package", "--bin", "reviews-py", "--arch", "x86_64"]));
    assert!(output.status.success(), "{}", stderr(&output));
    let output = run(powertools()
        .current_dir(example.path())
        .env("CARGO_TARGET_DIR", &target)
        .args(["openapi", "--api", "http"]));
    assert!(output.status.success(), "{}", stderr(&output));
    let path = target.join("powertools/openapi.json");
    let document = read_json(&path);
    assert_eq!(
        functions_of(&document),
        [
            "GET /reviews → reviews-py",
            "GET /reviews/{review_id} → reviews-py"
        ]
    );
    if require_tools(&["openapi-spec-validator"]) {
        assert_valid_openapi(&path);
    }
}

/// Powertools' `APIGatewayRestResolver` (what most of Powertools' examples use) reads a REST API's
/// event (`httpMethod`, `path`): sent the HTTP API v2 event, it failed with `KeyError:
/// 'httpMethod'`. With `event = "rest"` on the function's `openapi`, it answers its swagger route;
/// `--api rest` sends the same event to a route without its own `event`.
#[test]
fn a_rest_resolver_s_route_gets_a_rest_api_event() {
    if !require_tools(&["cargo-lambda", "uv", "python3.11"]) {
        return;
    }
    let example = example_opted_out();
    let app = example.path().join("python/reviews-py/app.py");
    replace_in_file(&app, "APIGatewayHttpResolver", "APIGatewayRestResolver");
    let root = example.path().join("Cargo.toml");
    let original = std::fs::read_to_string(&root).unwrap();
    let with = |openapi: &str| {
        std::fs::write(
            &root,
            original.replace(
                "path = \"python/reviews-py\"\n",
                &format!("path = \"python/reviews-py\"\nopenapi = {openapi}\n"),
            ),
        )
        .unwrap();
    };
    with("{ route = \"/swagger?format=json\", event = \"rest\" }");
    let target = example.outer.path().join("target");
    let output = run(powertools()
        .current_dir(example.path())
        .env("CARGO_TARGET_DIR", &target)
        .args(["package", "--bin", "reviews-py", "--arch", "x86_64"]));
    assert!(output.status.success(), "{}", stderr(&output));
    let openapi = |args: &[&str]| {
        run(powertools()
            .current_dir(example.path())
            .env("CARGO_TARGET_DIR", &target)
            .arg("openapi")
            .args(args))
    };
    let output = openapi(&["--api", "http"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let document = read_json(&target.join("powertools/openapi.json"));
    assert_eq!(
        functions_of(&document),
        [
            "GET /reviews → reviews-py",
            "GET /reviews/{review_id} → reviews-py"
        ]
    );

    // Without `event`, the HTTP API event is what the REST resolver cannot read...
    with("{ route = \"/swagger?format=json\" }");
    let output = openapi(&[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("KeyError"), "{}", stderr(&output));
    // ...and `--api rest` sends the REST event: the route answers (the document is then refused
    // for what a REST API import takes, OpenAPI 3.1 from Powertools).
    let output = openapi(&["--api", "rest"]);
    let text = stderr(&output);
    assert!(!text.contains("KeyError"), "{text}");
    assert!(
        text.contains("API Gateway's REST API import takes OpenAPI 2.0 and 3.0"),
        "{text}"
    );
}
