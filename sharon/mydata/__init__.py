"""My data: a member or carer downloads everything they wrote and everything stored about
them, or deletes their account. Each area adds its own rows through one hook
(sharon/mydata/registry.py), so an area added later joins the export and the deletion
the same way."""
