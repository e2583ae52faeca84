"""The control API's routes on an aws-lambda-powertools resolver, shared by the Lambda handler and
``streamfabric serve``.

GET /topology, GET /status, POST /switch {ingest, target, expected?, force?}, POST /take,
POST /protect {target, until?, reason?}, POST /unprotect {target}, GET /history?limit=N,
GET /thumbnails/{ingest} (image/jpeg), GET /thumbnails?have=ETAG,... (every ingest's thumbnail in
one answer, as JSON: the panel's multiviewer; an image the caller already has, named by its ETag in
``have``, is left out). Bad bodies get 400 naming the field, unknown ingests 404, conflicts 409, a
switch or take of a protected flow 409 ``protected`` (``protection`` says who, why and until when;
so does a protect of a flow another caller protected), an unprotect by another caller than the
protector 403 ``not_protector``, an ingest that is not ACTIVE, has no signal or another encoding
than the target carries 422 (``error`` the reason code, ``seen`` what the check read); a bad request
never gets a 500.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFound
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from ..errors import (
    ConflictError,
    IngestNotActiveError,
    NotProtectorError,
    ProtectedError,
    SignalCheckError,
    StateError,
    StreamfabricError,
    SwitchError,
    UnknownIngestError,
    UsageError,
)
from ..switching import Switcher
from .identity import ForbiddenError, caller_of, claims_of, require
from .models import (
    NAME,
    Problem,
    ProtectionModel,
    ProtectRequest,
    StatusResponse,
    SwitchRequest,
    SwitchResponse,
    TakeRequest,
    TakeResponse,
    UnprotectRequest,
    UnprotectResponse,
)

logger = Logger(service="streamfabric-api")


def _responses(ok: Any, *codes: HTTPStatus) -> dict[int, Any]:
    """OpenAPI descriptions of a route's responses: 200 with ``ok`` (a model, or a JSON Schema), and
    the error responses it can give, all with a Problem body."""
    content = {"model": ok} if isinstance(ok, type) else {"schema": ok}
    responses: dict[int, Any] = {200: {"description": "OK", "content": {"application/json": content}}}
    for code in (HTTPStatus.BAD_REQUEST, *codes, HTTPStatus.BAD_GATEWAY, HTTPStatus.SERVICE_UNAVAILABLE):
        responses[code.value] = {
            "description": code.phrase,
            "content": {"application/json": {"model": Problem}},
        }
    return responses


SwitcherProvider = Callable[[], Switcher]
CallerOf = Callable[[APIGatewayRestResolver], str]


_S3_LOCATION = re.compile(r"s3://[^\s'\"),;]+|\b[Bb]ucket[= ]+\S+|\b[Kk]ey[= ]+\S+")


def shown(app: APIGatewayRestResolver, message: str) -> str:
    """An error message as a panel user (a Cognito user) sees it: no bucket or key (those are in
    the log, for the operator); IAM and local callers get it whole."""
    return _S3_LOCATION.sub("(an S3 location)", message) if claims_of(app) else message


def _problem(status: HTTPStatus, error: str, message: str, **extra: Any) -> Response[str]:
    body = Problem(error=error, message=message, **extra).model_dump_json(exclude_none=True)
    return Response(status_code=status.value, content_type=content_types.APPLICATION_JSON, body=body)


def build_app(
    switcher: SwitcherProvider,
    *,
    caller: CallerOf = caller_of,
    cors_origin: str | None = None,
    panel_extra: Mapping[str, Any] | None = None,
) -> APIGatewayRestResolver:
    """``cors_origin``: the one origin (the panel's) whose cross-origin requests are answered with
    CORS headers; None: no CORS headers at all (same-origin only). ``panel_extra``: more of the
    panel page's configuration (the local server's per-run token)."""
    cors = (
        CORSConfig(allow_origin=cors_origin, allow_headers=["Authorization", "Content-Type"], max_age=600)
        if cors_origin
        else None
    )
    app = APIGatewayRestResolver(enable_validation=True, cors=cors)

    @app.get("/topology", summary="The topology: regions, ingests, what Live and Preview start on",
             responses=_responses({"type": "object"}))  # fmt: skip
    def get_topology() -> dict[str, Any]:
        require(app, write=False)
        sw = switcher()
        model = sw.fresh_topology()
        return {
            "name": model.name,
            "hub": model.hub.region,
            "regions": [n.region for n in model.networks],
            "ingests": [
                {"name": i.name, "region": i.region, "description": i.description} for i in model.ingests
            ],
            "starts_on": {"live": model.hub.live.starts_on, "preview": model.hub.preview.starts_on},
            "outputs": {f.role: [o.name for o in f.outputs] for f in model.hub.flows},
        }

    @app.get("/status", summary="What is on Live and Preview and each ingest's health (read from AWS)",
             responses=_responses(StatusResponse))  # fmt: skip
    def get_status() -> StatusResponse:
        require(app, write=False)
        return StatusResponse.model_validate(switcher().status().to_dict())

    @app.post("/switch", summary="Put an ingest on Live or Preview",
              responses=_responses(SwitchResponse, HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT,
                                   HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                                   HTTPStatus.UNPROCESSABLE_ENTITY))  # fmt: skip
    def post_switch(body: SwitchRequest) -> SwitchResponse:
        require(app, write=True)
        result = switcher().switch(
            body.ingest, body.target, expected=body.expected, force=body.force, caller=caller(app)
        )
        return SwitchResponse(**result.to_dict())

    take_responses = _responses(
        TakeResponse, HTTPStatus.CONFLICT, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, HTTPStatus.UNPROCESSABLE_ENTITY
    )

    @app.post("/take", summary="Swap Preview and Live (the cut)", responses=take_responses)
    def post_take(body: TakeRequest | None = None) -> TakeResponse:
        require(app, write=True)
        result = switcher().take(
            force=bool(body and body.force),
            caller=caller(app),
            expected_live=body.expected_live if body else None,
            expected_preview=body.expected_preview if body else None,
        )
        return TakeResponse(**result.to_dict())

    @app.post("/protect", summary="Protect Live or Preview: every switch and take of it is refused until "
              "the same caller unprotects it or it ends (at most 4 hours)",
              responses=_responses(ProtectionModel, HTTPStatus.CONFLICT))  # fmt: skip
    def post_protect(body: ProtectRequest) -> ProtectionModel:
        require(app, write=True)  # operators only: a viewer cannot lock the show
        sw = switcher()
        found = sw.protect(body.target, until=body.until, reason=body.reason, caller=caller(app))
        return ProtectionModel.model_validate(found.to_dict())

    @app.post("/unprotect", summary="Lift a protection (only the caller that protected the flow may)",
              responses=_responses(UnprotectResponse, HTTPStatus.FORBIDDEN))  # fmt: skip
    def post_unprotect(body: UnprotectRequest) -> UnprotectResponse:
        require(app, write=True)
        lifted = switcher().unprotect(body.target, caller=caller(app))
        protection = ProtectionModel.model_validate(lifted.to_dict()) if lifted else None
        return UnprotectResponse(target=body.target, unprotected=lifted is not None, protection=protection)

    @app.get(
        "/history",
        summary="The audit log, oldest first",
        responses=_responses({"type": "array", "items": {"type": "object"}}),
    )
    def get_history(
        limit: Annotated[int, Query(ge=1, le=1000, description="the last N records")] = 100,
    ) -> list[dict[str, Any]]:
        require(app, write=False)
        return [r.to_dict() for r in switcher().history(limit)]

    @app.get(
        "/thumbnails/<ingest>",
        summary="The latest thumbnail of an ingest's source (JPEG; cache it a few seconds)",
        responses={
            **_responses({"type": "object"}, HTTPStatus.NOT_FOUND),
            200: {"description": "OK", "content": {"image/jpeg": {"schema": {"type": "string",
                                                                               "format": "binary"}}}},
        },
    )  # fmt: skip
    def get_thumbnail(
        ingest: Annotated[str, Path(pattern=NAME, description="the ingest")],
    ) -> Response[str]:
        require(app, write=False)
        image, taken, messages = switcher().thumbnail(ingest)
        if image is None:
            why = "; ".join(messages) or "no thumbnail"
            return _problem(HTTPStatus.NOT_FOUND, "no_thumbnail", f"no thumbnail of {ingest!r} ({why})",
                            field="ingest")  # fmt: skip
        headers = {"Cache-Control": "private, max-age=2", "X-Content-Type-Options": "nosniff"}
        if taken is not None:
            headers["Last-Modified"] = taken.strftime("%a, %d %b %Y %H:%M:%S GMT")
        # Already base64 (a str body passes the resolver's validation; bytes would not serialize).
        response = Response(
            HTTPStatus.OK.value, "image/jpeg", base64.b64encode(image).decode(), headers=headers
        )
        response.base64_encoded = True
        return response

    @app.get(
        "/thumbnails",
        summary="Every ingest's latest thumbnail in one answer (the multiviewer)",
        responses=_responses({"type": "object"}),
    )
    def get_thumbnails(
        have: Annotated[
            str, Query(max_length=4000, description="ETags the caller has, comma-separated: left out")
        ] = "",
    ) -> dict[str, Any]:
        known = set(filter(None, have.split(",")))
        out: dict[str, Any] = {}
        for name, (image, taken, messages) in switcher().thumbnails().items():
            etag = hashlib.sha256(image).hexdigest()[:16] if image else None
            out[name] = {
                "etag": etag,
                "taken": taken.isoformat() if taken else None,
                "jpeg": base64.b64encode(image).decode() if image and etag not in known else None,
                "messages": list(messages),
            }
        return {"thumbnails": out}

    @app.exception_handler(RequestValidationError)
    def bad_request(exc: RequestValidationError) -> Response[str]:
        errors = exc.errors()
        first = errors[0] if errors else {}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query")]
        field = ".".join(loc) or None
        detail = first.get("msg", "invalid request")
        message = f"{field}: {detail}" if field else str(detail)
        return _problem(HTTPStatus.BAD_REQUEST, "bad_request", message, field=field)

    @app.exception_handler(ForbiddenError)
    def forbidden(exc: ForbiddenError) -> Response[str]:
        return _problem(HTTPStatus.FORBIDDEN, "forbidden", str(exc))

    @app.exception_handler(UnknownIngestError)
    def unknown_ingest(exc: UnknownIngestError) -> Response[str]:
        return _problem(HTTPStatus.NOT_FOUND, "unknown_ingest", str(exc), field="ingest")

    @app.exception_handler(ConflictError)
    def conflict(exc: ConflictError) -> Response[str]:
        return _problem(HTTPStatus.CONFLICT, "conflict", str(exc), target=exc.target or None,
                        on_air=exc.on_air, expected=exc.expected,
                        last_switch=exc.last_switch)  # fmt: skip

    @app.exception_handler(ProtectedError)
    def protected(exc: ProtectedError) -> Response[str]:
        return _problem(HTTPStatus.CONFLICT, "protected", str(exc), protection=exc.protection or None)

    @app.exception_handler(NotProtectorError)
    def not_protector(exc: NotProtectorError) -> Response[str]:
        return _problem(HTTPStatus.FORBIDDEN, "not_protector", str(exc), protection=exc.protection)

    @app.exception_handler(UsageError)
    def bad_value(exc: UsageError) -> Response[str]:
        field = "until" if str(exc).startswith("--until") else None
        message = str(exc).removeprefix("--")
        return _problem(HTTPStatus.BAD_REQUEST, "bad_request", message, field=field)

    @app.exception_handler(SignalCheckError)
    def no_signal(exc: SignalCheckError) -> Response[str]:
        return _problem(HTTPStatus.UNPROCESSABLE_ENTITY, exc.reason, str(exc), seen=exc.seen)

    @app.exception_handler(IngestNotActiveError)
    def not_active(exc: IngestNotActiveError) -> Response[str]:
        return _problem(HTTPStatus.UNPROCESSABLE_ENTITY, "ingest_not_active", str(exc))

    @app.exception_handler(SwitchError)
    def switch_failed(exc: SwitchError) -> Response[str]:
        logger.warning("switch failed", extra={"error": str(exc)})
        return _problem(HTTPStatus.BAD_GATEWAY, "switch_failed", shown(app, str(exc)))

    @app.exception_handler(StateError)
    def no_state(exc: StateError) -> Response[str]:
        logger.warning("state unreadable", extra={"error": str(exc)})
        return _problem(HTTPStatus.SERVICE_UNAVAILABLE, "not_deployed", shown(app, str(exc)))

    @app.exception_handler(StreamfabricError)
    def other(exc: StreamfabricError) -> Response[str]:
        logger.warning("request failed", extra={"error": str(exc)})
        return _problem(HTTPStatus.BAD_GATEWAY, "aws_error", shown(app, str(exc)))

    @app.not_found
    def not_found(exc: RouteNotFound) -> Response[str]:
        return _problem(HTTPStatus.NOT_FOUND, "not_found", f"no route {app.current_event.http_method} "
                        f"{app.current_event.path}")  # fmt: skip

    _register_panel(app, panel_extra)
    return app


def _register_panel(app: APIGatewayRestResolver, extra: Mapping[str, Any] | None) -> None:
    """The operator panel, served by the same API (GET / and its assets), when it is installed."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("streamfabric.api.panel_routes") is not None:
        importlib.import_module("streamfabric.api.panel_routes").register_panel_routes(app, extra)


def openapi_document(app: APIGatewayRestResolver) -> str:
    from .. import __version__

    return app.get_openapi_json_schema(
        title="streamfabric control API",
        version=__version__,
        description="Switch MediaConnect ingests onto the hub's Live and Preview flows.",
    )
