"""Progress reports for parliament: the snapshot, charts, PDF jobs and their pages."""
