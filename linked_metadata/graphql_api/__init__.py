"""The Kraken-compatible GraphQL API of linked metadata (contract graphql.md), on graphene-django."""
