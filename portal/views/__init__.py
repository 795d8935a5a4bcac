"""The client portal's pages: one module per part of what an owner sees (docs/portal.md)."""
