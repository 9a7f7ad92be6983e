"""The API docs and every page work without the internet: Swagger UI and ReDoc come from
drf-spectacular-sidecar's static files, and the favicon is ours (no 404 in the log)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_it_serves_the_api_docs_from_local_assets_only(client, url):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assets = ASSET.findall(html)
    assert any("drf_spectacular_sidecar" in a for a in assets), assets
    assert [a for a in assets if re.match(r"^(https?:)?//", a)] == []
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset


def test_it_serves_the_swagger_ui_script_itself(client):
    html = client.get("/api/v1/docs/").content.decode()
    script = next(a for a in ASSET.findall(html) if a.endswith("swagger-ui-bundle.js"))

    assert finders.find(script.removeprefix("/static/"))


def test_it_sends_favicon_ico_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")


def test_it_links_the_icon_and_the_print_stylesheet_from_every_page(client):
    html = client.get("/login/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    assert finders.find("css/print.css")
