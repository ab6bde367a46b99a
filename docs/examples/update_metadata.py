"""Store a key/value pair on an account (or an account user) through the service's GraphQL API.

    METADATA_SERVICE_URL=http://127.0.0.1:8000 METADATA_SERVICE_TOKEN=<a JWT> \
        python docs/examples/update_metadata.py ACCOUNT A-154321

The second argument names the account (an account number) or the account user (an email address). The
value is any JSON document; GraphQL carries it as a string. Prints the service's JSON answer.
"""

import json
import os
import sys

import requests

MUTATION = """
mutation store($input: MetadataInput!) {
  updateMetadata(input: $input) {
    metadata { key value }
  }
}
"""


def store(linked_object_type, identifier):
    url = os.environ.get("METADATA_SERVICE_URL", "http://127.0.0.1:8000").rstrip("/") + "/v1/graphql/"
    variables = {
        "input": {
            "linkedObjectType": linked_object_type,
            "identifier": identifier,
            "key": "some_unique_key",
            "value": json.dumps({"pet_type": "dog", "name": "fang"}),
        }
    }
    answer = requests.post(
        url,
        json={"query": MUTATION, "variables": variables},
        headers={"Authorization": f"JWT {os.environ['METADATA_SERVICE_TOKEN']}"},
        timeout=30,
    )
    answer.raise_for_status()  # GraphQL errors come on a 200, in the body's "errors"
    return answer.json()


if __name__ == "__main__":
    print(json.dumps(store(sys.argv[1], sys.argv[2]), indent=2))
