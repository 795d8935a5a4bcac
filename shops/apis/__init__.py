"""REST API of the shops app: shops, contracts, turnover reports, DSR ratings and DSR figures.

Views are thin: serializers check shapes, the services in ``shops.services`` apply the rules and
the selectors in ``shops.selectors`` decide what a user may see (another owner's objects are
simply absent: 404).
"""
