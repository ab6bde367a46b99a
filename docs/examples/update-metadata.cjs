// Store a key/value pair on an account (or an account user) through the service's GraphQL API, with axios.
//
//   METADATA_SERVICE_URL=http://127.0.0.1:8000 METADATA_SERVICE_TOKEN=<a JWT> \
//     node docs/examples/update-metadata.cjs ACCOUNT_USER some.test@email.com
//
// Needs axios (npm install axios). Prints the service's JSON answer; GraphQL errors arrive on a 200.
const axios = require("axios");

const mutation = `
mutation store($input: MetadataInput!) {
  updateMetadata(input: $input) {
    metadata { key value }
  }
}`;

async function store(linkedObjectType, identifier) {
  const base = (process.env.METADATA_SERVICE_URL || "http://127.0.0.1:8000").replace(/\/$/, "");
  const input = {
    linkedObjectType,
    identifier,
    key: "some_unique_key",
    value: JSON.stringify({ pet_type: "dog", name: "fang" }),
  };
  const answer = await axios.post(
    `${base}/v1/graphql/`,
    { query: mutation, variables: { input } },
    { headers: { Authorization: `JWT ${process.env.METADATA_SERVICE_TOKEN}` }, timeout: 30000 },
  );
  return answer.data;
}

const [linkedObjectType, identifier] = process.argv.slice(2);
store(linkedObjectType, identifier)
  .then((body) => console.log(JSON.stringify(body, null, 2)))
  .catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
