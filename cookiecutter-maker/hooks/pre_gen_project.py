"""Refuse answers that would generate a package that cannot work: names that are
not Python identifiers or valid distribution names, and tags of gammabin's own
makers (two plugins claiming one tag make ``MAKER_REGISTRY.get_cls`` raise)."""
import re
import sys

# gammabin's built-in maker tags (gammapy's registry names); kept here so the
# template renders even where gammabin is not installed.
BUILTIN_TAGS = {
    "ReflectedRegionsBackgroundMaker", "AdaptiveRingBackgroundMaker", "FoVBackgroundMaker",
    "PhaseBackgroundMaker", "RingBackgroundMaker", "SpectrumDatasetMaker",
    "MapDatasetMaker", "SafeMaskMaker", "DatasetsMaker",
}
try:  # a newer gammabin may have more
    from gammabin.makers.registry import BUILTIN_MAKERS

    BUILTIN_TAGS |= set(BUILTIN_MAKERS)
except Exception:  # noqa: BLE001 - gammabin is optional at render time
    pass

ANSWERS = {
    "plugin_name": "{{ cookiecutter.plugin_name }}",
    "distribution": "{{ cookiecutter.distribution }}",
    "package": "{{ cookiecutter.package }}",
    "maker_class": "{{ cookiecutter.maker_class }}",
    "tag": "{{ cookiecutter.tag }}",
    "gammabin_min_version": "{{ cookiecutter.gammabin_min_version }}",
}
RULES = {
    "plugin_name": (r"^[a-z][a-z0-9_]*$", "lower-case letters, digits and '_', starting with a letter"),
    "distribution": (r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$", "a valid distribution name (PEP 508)"),
    "package": (r"^[a-z_][a-z0-9_]*$", "a lower-case Python identifier"),
    "maker_class": (r"^[A-Z][A-Za-z0-9_]*$", "a Python class name (CapWords)"),
    "tag": (r"^[A-Za-z_][A-Za-z0-9_]*$", "an identifier-like tag"),
    "gammabin_min_version": (r"^\d+\.\d+(\.\d+)?$", "a version such as 0.1 or 1.2"),
}


def problems(answers):
    found = []
    for key, (pattern, what) in RULES.items():
        if not re.match(pattern, answers[key]):
            found.append(f"{key}={answers[key]!r}: expected {what}")
    if answers["tag"] in BUILTIN_TAGS:
        found.append(f"tag={answers['tag']!r} is a built-in gammabin maker tag; choose another "
                     f"(built-ins: {', '.join(sorted(BUILTIN_TAGS))})")
    import keyword

    if keyword.iskeyword(answers["package"]):
        found.append(f"package={answers['package']!r} is a Python keyword")
    return found


if __name__ == "__main__":
    errors = problems(ANSWERS)
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    sys.exit(1 if errors else 0)
