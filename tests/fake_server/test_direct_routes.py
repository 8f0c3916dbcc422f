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


def test_a_request_tries_only_the_routes_of_its_method_and_verb() -> None:
    routes = [
        Route("/v/{model}:generate", echo, methods=["POST"]),
        Route("/v/{model}", echo, methods=["GET"]),
        Route("/v/{name}:download", echo, methods=["GET"]),
    ]
    direct = DirectRoutes(Starlette(routes=routes), routes)
    assert {key: len(tried) for key, tried in direct.routes.items()} == {
        ("POST", "generate"): 1,
        ("GET", ""): 1,
        ("HEAD", ""): 1,  # Starlette serves HEAD wherever GET is
        ("GET", "download"): 1,
        ("HEAD", "download"): 1,
    }
    with httpx.Client(transport=SyncASGITransport(direct), base_url="http://fake.test") as http:
        assert http.post("/v/m:generate").json() == {"params": {"model": "m"}, "direct": True}
        assert http.get("/v/f:download").json() == {"params": {"name": "f"}, "direct": True}
        # a colon the routes do not end with is the router's to match, as before
        assert http.get("/v/a:b").json() == {"params": {"model": "a:b"}, "direct": False}
