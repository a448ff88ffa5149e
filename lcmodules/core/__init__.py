"""Small helpers every stage shares (problems, paths, versions, atomic files, the URL policy,
the local server); they import nothing of lcmodules outside `core`."""
