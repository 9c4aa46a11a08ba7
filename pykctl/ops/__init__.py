"""Operations over objects as plain dicts, shared by the object-writing commands: the create
generators' objects, client-side apply (last-applied annotation, three-way patches), kubectl's
typed-struct layout, edit buffers and deletion options. No module here talks to a server."""
