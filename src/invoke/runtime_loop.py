"""cargo-powertools' Python runtime loop: runs a packaged Python function against a Lambda Runtime
API the way Lambda's Python runtime does, with the standard library only.

Started as `python3.X -I -S -u runtime_loop.py` in the unpacked zip (the task root), with
LAMBDA_TASK_ROOT, _HANDLER (`module.function`) and AWS_LAMBDA_RUNTIME_API (`host:port`) set.
`-I -S` keep the machine's own environment and site-packages out: only the zip and the standard
library are importable, as on Lambda (whose runtime also carries boto3).

Init imports the handler's module; its failures are posted to /runtime/init/error with Lambda's
error types (Runtime.MalformedHandlerName, Runtime.ImportModuleError, Runtime.UserCodeSyntaxError,
or the exception's own class). Then, for ever: GET the next event, call the handler with it and a
context object, POST the JSON response, or the error (the exception's class as errorType,
Runtime.HandlerNotFound, Runtime.MarshalError).
"""
import http.client
import importlib
import json
import os
import sys
import time
import traceback

API_VERSION = "/2018-06-01/runtime"


class Fault(Exception):
    """A failure Lambda's runtime reports with an error type of its own."""

    def __init__(self, error_type, message, stack=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack = stack or []


def error_payload(error_type, message, stack, request_id=None):
    payload = {"errorMessage": message, "errorType": error_type, "stackTrace": stack}
    if request_id is not None:
        payload["requestId"] = request_id
    return payload


def exception_payload(exc, request_id=None):
    if isinstance(exc, Fault):
        return error_payload(exc.error_type, exc.message, exc.stack, request_id)
    stack = traceback.format_list(traceback.extract_tb(exc.__traceback__))
    return error_payload(type(exc).__name__, str(exc), stack, request_id)


def load_handler(handler):
    """Imports the handler's module; a missing function is reported when an event arrives."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}")
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault(
            "Runtime.BuiltInModuleConflict",
            f"Cannot use built-in module {module_name} as a handler module",
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise Fault(
            "Runtime.ImportModuleError",
            f"Unable to import module '{module_name}': {exc}",
        )
    except SyntaxError as exc:
        stack = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise Fault(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{module_name}': {exc}",
            stack,
        )
    function = getattr(module, function_name, None)
    if function is None:
        fault = Fault(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        )

        def missing(event, context):
            raise fault

        return missing
    return function


class LambdaContext:
    """The context object Lambda's Python runtime passes to a handler."""

    def __init__(self, request_id, deadline_ms, function_arn, trace_id):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


class RuntimeApi:
    def __init__(self, address):
        address = address.split("://", 1)[-1].split("/", 1)[0]
        host, _, port = address.rpartition(":")
        self.connection = http.client.HTTPConnection(host, int(port))

    def call(self, method, path, body=None, headers=None):
        self.connection.request(method, API_VERSION + path, body=body, headers=headers or {})
        response = self.connection.getresponse()
        return response, response.read()

    def post_json(self, path, payload, error_type=None):
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        self.call("POST", path, json.dumps(payload).encode(), headers)


def main():
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    sys.path.insert(0, task_root)
    # The layers' /opt/python (and its lib/python3.X/site-packages), after the task root as on Lambda.
    layers = [p for p in os.environ.get("POWERTOOLS_LAYER_PATHS", "").split(os.pathsep) if p]
    sys.path[1:1] = layers
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except Exception as exc:  # noqa: BLE001 - every init failure is reported, as Lambda does
        payload = exception_payload(exc)
        print(f"[ERROR] {payload['errorType']}: {payload['errorMessage']}", file=sys.stderr)
        api.post_json("/init/error", payload, payload["errorType"])
        sys.exit(1)
    while True:
        response, body = api.call("GET", "/invocation/next")
        request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
        context = LambdaContext(
            request_id,
            int(response.getheader("Lambda-Runtime-Deadline-Ms") or 0),
            response.getheader("Lambda-Runtime-Invoked-Function-Arn"),
            response.getheader("Lambda-Runtime-Trace-Id"),
        )
        try:
            result = handler(json.loads(body or b"null"), context)
        except Exception as exc:  # noqa: BLE001 - the handler's failure is the invocation's
            payload = exception_payload(exc, request_id)
            if isinstance(exc, Fault):
                print(f"[ERROR] {exc.error_type}: {exc.message}", file=sys.stderr)
            else:
                traceback.print_exc()
            api.post_json(f"/invocation/{request_id}/error", payload, payload["errorType"])
            continue
        try:
            answer = json.dumps(result).encode()
        except (TypeError, ValueError) as exc:
            payload = error_payload(
                "Runtime.MarshalError", f"Unable to marshal response: {exc}", [], request_id
            )
            api.post_json(f"/invocation/{request_id}/error", payload, payload["errorType"])
            continue
        api.call("POST", f"/invocation/{request_id}/response", answer)


if __name__ == "__main__":
    main()
