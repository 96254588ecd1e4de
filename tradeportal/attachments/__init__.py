"""Editor attachments: forms and documents (PDF, DOCX, XLSX) served at stable addresses."""
