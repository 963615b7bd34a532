#!/usr/bin/env python3
"""moto's server plus a Smithy RPC v2 CBOR shim (run by `scripts/stack up` on 127.0.0.1:5055).

Recent AWS SDKs (aws-sdk-cloudwatch >= 1.9x for Rust, aws-sdk-go-v2, ...) talk to CloudWatch
in the `smithy-rpc-v2-cbor` protocol: a CBOR body POSTed to
/service/GraniteServiceVersion20100801/operation/<Operation>. moto answers CloudWatch in the
query and JSON protocols only (getmoto/moto#9195), so those requests would get a 404.

This launcher serves moto's own WSGI application (exactly what `moto_server` runs) behind a
small middleware that turns such a request into the equivalent AWS JSON 1.0 request
(X-Amz-Target: <service>.<operation>), lets moto handle it, and encodes moto's JSON answer
back into CBOR following the operation's output shape from botocore's service model
(timestamps as CBOR tag 1, blobs as byte strings, doubles as floats). Everything else passes
through untouched.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import json
import os
import signal
import sys
from typing import Any

import botocore.session
import cbor2
from botocore.utils import parse_timestamp
from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

# botocore service names whose rpc-v2-cbor requests are translated
CBOR_SERVICES = ("cloudwatch",)


def _to_json(value: Any) -> Any:
    """CBOR-decoded request value -> JSON-protocol value."""
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, cbor2.CBORTag) and value.tag == 1:
        return float(value.value)
    return value


def _epoch(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return parse_timestamp(str(value)).timestamp()


def _to_cbor(value: Any, shape: Any) -> Any:
    """JSON-protocol response value -> CBOR value, guided by the botocore shape."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for key, member_value in value.items():
            if member_value is None:
                continue
            member = shape.members.get(key)
            out[key] = _to_cbor(member_value, member) if member is not None else member_value
        return out
    if kind == "list":
        return [_to_cbor(v, shape.member) for v in value]
    if kind == "map":
        return {k: _to_cbor(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        return cbor2.CBORTag(1, _epoch(value))
    if kind == "blob":
        return base64.b64decode(value) if isinstance(value, str) else bytes(value)
    if kind in ("double", "float"):
        return float(value)
    if kind in ("integer", "long", "short", "byte"):
        return int(value)
    if kind == "boolean":
        return bool(value)
    return value


class CborRpcV2Shim:
    def __init__(self, app: Any) -> None:
        self.app = app
        session = botocore.session.get_session()
        self.models = {}
        for name in CBOR_SERVICES:
            model = session.get_service_model(name)
            self.models[model.metadata["targetPrefix"]] = model

    def __call__(self, environ: dict, start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        parts = path.strip("/").split("/")
        if (
            environ.get("REQUEST_METHOD") == "POST"
            and len(parts) == 4
            and parts[0] == "service"
            and parts[2] == "operation"
            and parts[1] in self.models
        ):
            return self._translate(environ, start_response, parts[1], parts[3])
        return self.app(environ, start_response)

    def _translate(self, environ: dict, start_response: Any, target: str, operation: str) -> Any:
        model = self.models[target]
        try:
            op_model = model.operation_model(operation)
        except Exception:  # noqa: BLE001 - unknown operation
            return self._reply(start_response, "400 Bad Request", {"__type": "UnknownOperationException", "message": operation}, {})

        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        params = _to_json(cbor2.loads(raw)) if raw else {}
        body = json.dumps(params).encode()

        inner = dict(environ)
        inner["PATH_INFO"] = "/"
        inner["RAW_URI"] = inner["REQUEST_URI"] = "/"
        inner["QUERY_STRING"] = ""
        inner["CONTENT_TYPE"] = f"application/x-amz-json-{model.metadata.get('jsonVersion', '1.0')}"
        inner["CONTENT_LENGTH"] = str(len(body))
        inner["HTTP_X_AMZ_TARGET"] = f"{target}.{operation}"
        inner.pop("HTTP_SMITHY_PROTOCOL", None)
        inner.pop("HTTP_ACCEPT", None)
        inner["wsgi.input"] = io.BytesIO(body)

        captured: dict = {}

        def inner_start(status: str, headers: list, exc_info: Any = None) -> Any:
            captured["status"] = status
            captured["headers"] = headers
            return lambda data: None

        chunks = self.app(inner, inner_start)
        try:
            payload = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status = captured.get("status", "500 Internal Server Error")
        headers = {k.lower(): v for k, v in captured.get("headers", [])}
        keep = {k: headers[k] for k in ("x-amzn-requestid", "x-amzn-query-error") if k in headers}

        try:
            decoded = json.loads(payload) if payload.strip() else {}
        except ValueError:
            decoded = None
        if not status.startswith("2"):
            if not isinstance(decoded, dict):
                decoded = {"__type": "InternalFailure", "message": payload.decode(errors="replace")[:1000]}
            if "__type" not in decoded:
                decoded["__type"] = decoded.pop("code", decoded.pop("Code", "InternalFailure"))
            return self._reply(start_response, status, decoded, keep)
        if decoded is None:
            return self._reply(
                start_response,
                "500 Internal Server Error",
                {"__type": "InternalFailure", "message": "moto returned a non-JSON answer"},
                keep,
            )
        output = op_model.output_shape
        if output is None:
            return self._reply(start_response, status, None, keep)
        return self._reply(start_response, status, _to_cbor(decoded, output), keep)

    @staticmethod
    def _reply(start_response: Any, status: str, value: Any, extra: dict) -> list:
        body = b"" if value is None else cbor2.dumps(value)
        headers = [
            ("Content-Type", "application/cbor"),
            ("smithy-protocol", "rpc-v2-cbor"),
            ("Content-Length", str(len(body))),
        ] + list(extra.items())
        start_response(status, headers)
        return [body]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-H", "--host", default="127.0.0.1")
    ap.add_argument("-p", "--port", type=int, default=5055)
    args = ap.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True  # type: ignore[attr-defined]
    run_simple(
        args.host,
        args.port,
        CborRpcV2Shim(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
