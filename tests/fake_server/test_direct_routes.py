"""The API's routes taken before Starlette's router (``fake_server.api.routes.DirectRoutes``):
what they match gets the endpoint Starlette's route would call, with the same path
parameters; what they do not goes on to the router."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fake_server import create_app
from fake_server.api.routes import DirectRoutes
from fake_server.inprocess import SyncASGITransport
from tests.kit.fakes import KEY


async def echo(request: Request) -> Response:
    return JSONResponse({"params": request.path_params, "direct": "endpoint" not in request.scope})


def test_path_parameters_are_converted_as_the_route_would_convert_them() -> None:
    route = Route("/items/{number:int}/{name}", echo, methods=["GET"])
    app = DirectRoutes(Starlette(routes=[route]), [route])
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://fake.test") as http:
        answer = http.get("/items/42/x")
    assert answer.json() == {"params": {"number": 42, "name": "x"}, "direct": True}


def test_what_the_api_routes_do_not_take_goes_on_to_the_router() -> None:
    with httpx.Client(
        transport=SyncASGITransport(create_app()), base_url="http://fake.test", headers=KEY
    ) as http:
        generate = "/v1beta/models/gemini-2.5-flash:generateContent"
        assert http.get(generate).json()["error"]["code"] == 404  # wrong method: the router's
        assert http.get("/__fake__/journal").status_code == 200  # the admin API
        assert http.post("/v1beta/nothing/here").json()["error"]["status"] == "NOT_FOUND"
