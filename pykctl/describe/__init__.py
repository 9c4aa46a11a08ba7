"""kubectl's describers: one module per kind or family, each a pure function from an object
(plus its events and the related objects the command fetched) to the text ``kubectl describe``
prints, byte for byte.

``writer`` is the shared text sink (kubectl's PrefixWriter over a Go tabwriter), ``format`` the
shared helpers (labels, annotations, tolerations, local RFC1123Z times), ``events`` the Events
section, ``generic`` the outline every kind without its own describer gets. Nothing here does
I/O: ``pykctl.cli.commands.describe`` reads the objects and picks the describer.
"""
