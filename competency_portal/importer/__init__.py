"""Turn a trust's own job description or person specification into draft framework files.

`import_document(filename, data)` reads a .docx, .pdf, .odt or .txt file and returns a `Draft`:
the facts about the post, and framework documents in exactly the schema of `frameworks/`
(a job description's duties and, where the document has one, its person specification), each
item carrying `origin` (where in the document it came from) and `check` (what the importer had to
guess). `suggest` finds loaded items that may be equivalent, for a person to accept or reject.

Pure: no Flask, no database; the callers (the CLI and the admin pages) pass bytes in and get
plain data out.
"""

from competency_portal.importer.draft import Draft, SourceLine
from competency_portal.importer.errors import ImportRefused
from competency_portal.importer.pipeline import import_document

__all__ = ["Draft", "ImportRefused", "SourceLine", "import_document"]
