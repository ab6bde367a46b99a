"""RFC 7396 JSON merge patch."""


def apply_merge_patch(target, patch):
    """Merge ``patch`` into ``target``: objects merge key by key, ``null`` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def merge_patch_body(current, patch, object_fields):
    """The write body a merge patch means: ``object_fields`` merge into ``current``'s values, the rest replace."""
    body = dict(patch)
    for name in object_fields:
        if isinstance(patch.get(name), dict) and isinstance(current.get(name), dict):
            body[name] = apply_merge_patch(current[name], patch[name])
    return body
