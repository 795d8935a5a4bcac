"""REST API of the seats app: thin views over seats.services and seats.selectors."""
