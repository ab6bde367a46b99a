"""Clients no one here wrote: the real generators and parsers read the API under gunicorn, as a user runs them.

- openapi-python-client (requirements-dev.txt) generates a Python client from ``/docs/openapi.json``; the
  test imports it and does a whole round trip through it.
- openapi-typescript generates TypeScript types, and tsc type-checks a small caller against them.
- @api-platform/api-doc-parser (what API Platform's Admin and client generator use) reads the API both
  from the OpenAPI document and from the Hydra documentation.

The Node tools are pinned in tests/support/node_packages.py and installed by npm into ``var/node``; where npm
cannot run, those tests skip and say why.
"""

import importlib
import json
import subprocess
import sys
import urllib.request

import pytest

from metadatas.serializers import MetadataSerializer
from tests.conftest import token_for
from tests.support.node_packages import node_modules

pytestmark = pytest.mark.e2e

PACKAGE = "metadata_service_client"
RESOURCE_FIELDS = MetadataSerializer.Meta.fields  # the resource table of the README, in its order
OPERATION_TYPES = {"list", "show", "create", "edit", "delete"}


def run(command, cwd, timeout=180):
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def fetch_document(url):
    with urllib.request.urlopen(f"{url}/docs/openapi.json", timeout=10) as response:
        return json.load(response)


# --- openapi-python-client -------------------------------------------------------------------------


@pytest.fixture
def generated_python_client(server, tmp_path, monkeypatch):
    """The client openapi-python-client generates from the served document, importable as a package."""
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--url", f"{server}/docs/openapi.json"]
    output = run([*command, "--output-path", str(tmp_path / PACKAGE), "--meta", "none"], cwd=tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield output, importlib.import_module(PACKAGE)
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def test_the_python_generator_keeps_every_schema_and_every_operation(server, generated_python_client):
    output, client = generated_python_client
    document = fetch_document(server)

    assert "Warning" not in output and "Unable to process" not in output, output
    models = importlib.import_module(f"{PACKAGE}.models")
    for name in document["components"]["schemas"]:
        assert hasattr(models, name), f"the generator dropped the {name} schema"
    for item in document["paths"].values():
        for operation in item.values():
            tag = operation["tags"][0]
            importlib.import_module(f"{PACKAGE}.api.{tag}.{operation['operationId'].lower()}")


def python_api(operation_id):
    return importlib.import_module(f"{PACKAGE}.api.metadatas.{operation_id}")


def new_resource(models, slug, data):
    return models.MetadataRequest(
        owner="Team",
        title=models.MetadataRequestTitle.from_dict({"en": "Regions", "fr": "Régions"}),
        slug=slug,
        type_="configuration",
        data=data,
    )


def test_the_generated_python_client_creates_reads_lists_updates_and_deletes(server, tenant, generated_python_client):
    _, package = generated_python_client
    models = importlib.import_module(f"{PACKAGE}.models")
    client = package.AuthenticatedClient(base_url=server, token=token_for(tenant.uuid), raise_on_unexpected_status=True)
    region = models.MetadataRequestDataType0.from_dict({"region": "eu", "zones": [1, 2]})

    created = python_api("metadatas_create").sync_detailed(client=client, body=new_resource(models, "regions", region))
    python_api("metadatas_create").sync(client=client, body=new_resource(models, "providers", ["GitLab", "Apple"]))
    assert created.status_code == 201
    item = created.parsed
    assert (item.version, item["@id"], item.title.to_dict()["fr"]) == (1, f"/metadatas/{item.uuid}", "Régions")

    read = python_api("metadatas_retrieve").sync(client=client, uuid=item.uuid)
    assert (read.slug, read.data.to_dict()) == ("regions", {"region": "eu", "zones": [1, 2]})

    listed = python_api("metadatas_list").sync(client=client, slug=["providers"])
    assert [member.slug for member in listed.hydramember] == ["providers"]
    assert (listed.hydratotal_items, listed.hydramember[0].data) == (1, ["GitLab", "Apple"])

    change = models.PatchedMetadataRequest(data=["eu", "us"], version=item.version)
    updated = python_api("metadatas_update").sync(client=client, uuid=item.uuid, body=change)
    assert (updated.version, updated.data) == (2, ["eu", "us"])

    stale = python_api("metadatas_update").sync_detailed(client=client, uuid=item.uuid, body=change)
    assert (stale.status_code, type(stale.parsed).__name__, stale.parsed.current_version) == (409, "VersionProblem", 2)

    assert python_api("metadatas_destroy").sync_detailed(client=client, uuid=item.uuid).status_code == 204
    assert python_api("metadatas_retrieve").sync_detailed(client=client, uuid=item.uuid).status_code == 404


# --- openapi-typescript and tsc ----------------------------------------------------------------------

TYPESCRIPT_CALLER = """\
import type { components } from "./schema";

type Metadata = components["schemas"]["Metadata"];
type NewMetadata = components["schemas"]["MetadataRequest"];
type Change = components["schemas"]["PatchedMetadataRequest"];

export const regions: NewMetadata = {
  owner: "Team",
  title: { en: "Regions", fr: "Régions" },
  slug: "regions",
  type: "configuration",
  data: { region: "eu", zones: [1, 2], nested: { deep: true } },
};
export const providers: NewMetadata = { ...regions, slug: "providers", data: ["GitLab", "Apple"] };
export const rename: Change = { title: { "pt-BR": "Regiões" }, version: 1 };

export function nextChange(item: Metadata): Change {
  const version: number = item.version;
  const english: string | undefined = item.title["en"];
  return { data: { previous: english ?? null }, version };
}

// The types still refuse what the service refuses: a bare scalar, a title that is not a map, a text version.
// @ts-expect-error data is an object or an array
export const scalar: NewMetadata = { ...regions, data: "eu" };
// @ts-expect-error a title maps locales to strings
export const flatTitle: NewMetadata = { ...regions, title: "Regions" };
// @ts-expect-error version is a number
export const textVersion: Change = { version: "1" };
"""


def test_typescript_types_generated_from_the_document_type_check_a_caller(server, tmp_path):
    modules = node_modules("openapi-typescript", "typescript")
    (tmp_path / "node_modules").symlink_to(modules, target_is_directory=True)
    generator = modules / "openapi-typescript" / "bin" / "cli.js"
    run(["node", str(generator), f"{server}/docs/openapi.json", "--output", "schema.ts"], cwd=tmp_path)
    (tmp_path / "caller.ts").write_text(TYPESCRIPT_CALLER)

    tsc = modules / "typescript" / "bin" / "tsc"
    checked = subprocess.run(
        ["node", str(tsc), "--noEmit", "--strict", "--target", "es2022", "--module", "esnext"]
        + ["--moduleResolution", "bundler", "caller.ts"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr  # includes any unused @ts-expect-error


# --- @api-platform/api-doc-parser ----------------------------------------------------------------------

PARSER_SCRIPT = """\
import { parseHydraDocumentation, parseOpenApi3Documentation } from "@api-platform/api-doc-parser";

const [how, url] = process.argv.slice(2);
const parse = how === "hydra" ? parseHydraDocumentation : parseOpenApi3Documentation;
const { api, status } = await parse(url);
const fields = (list) => list.map((field) => field.name);
console.log(JSON.stringify({
  status,
  resources: api.resources.map((resource) => ({
    name: resource.name,
    url: resource.url,
    title: resource.title,
    fields: fields(resource.fields),
    required: fields(resource.fields.filter((field) => field.required)),
    readable: fields(resource.readableFields),
    writable: fields(resource.writableFields),
    operations: resource.operations.map((operation) => [operation.type, operation.method]),
  })),
}));
"""


def parsed_api(how, url, tmp_path):
    (tmp_path / "node_modules").symlink_to(node_modules("@api-platform/api-doc-parser"), target_is_directory=True)
    (tmp_path / "parse.mjs").write_text(PARSER_SCRIPT)
    return json.loads(run(["node", "parse.mjs", how, url], cwd=tmp_path))


def metadata_resource(parsed, server):
    (resource,) = [resource for resource in parsed["resources"] if resource["name"] == "metadatas"]
    assert (resource["url"], resource["title"]) == (f"{server}/metadatas", "Metadata")
    return resource


def test_api_doc_parser_reads_the_openapi_document_in_its_own_media_type(server, tmp_path):
    parsed = parsed_api("openapi", f"{server}/docs/openapi.json", tmp_path)  # it asks for vnd.openapi+json

    resource = metadata_resource(parsed, server)
    assert parsed["status"] == 200
    assert resource["fields"] == list(RESOURCE_FIELDS)
    assert {operation for operation, _ in resource["operations"]} == OPERATION_TYPES
    assert sorted(method for _, method in resource["operations"]) == ["DELETE", "GET", "GET", "PATCH", "POST", "PUT"]


def test_api_doc_parser_reads_the_hydra_documentation_from_the_entrypoint(server, tmp_path):
    parsed = parsed_api("hydra", server, tmp_path)

    resource = metadata_resource(parsed, server)
    fields = MetadataSerializer().get_fields()
    assert resource["fields"] == list(RESOURCE_FIELDS)
    assert resource["required"] == [name for name, field in fields.items() if field.required]
    assert resource["readable"] == [name for name, field in fields.items() if not field.write_only]
    assert resource["writable"] == [name for name, field in fields.items() if not field.read_only]
    assert {operation for operation, _ in resource["operations"]} == OPERATION_TYPES
    assert sorted(method for _, method in resource["operations"]) == ["DELETE", "GET", "GET", "PATCH", "POST", "PUT"]
