"""Each stage's code deps: its script and the package modules it imports, directly or through other modules.

`python -m tools.stage_deps` prints, per stage of dvc.yaml, the deps its code needs against those it lists;
`--write` puts the needed ones into dvc.yaml. tests/test_dvc_yaml.py fails when they differ, naming the stage and the
module, so no stage runs code it does not depend on (stale outputs that look current) and none re-runs for code it
does not run.

The closure is read from the code (ast): every `import oneclick...` and `from oneclick... import ...`, at the top of
a module or inside a function, and the `__init__.py` of every package on the way. A sub-package whose modules are
all in the closure is listed as its folder (one dvc.lock entry); otherwise its modules are listed one by one.
"""

import argparse
import ast
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "oneclick"


def module_path(name: str, root: Path = ROOT) -> Path | None:
    """The file of a dotted module name of the package, or None if it names no module (a function, say)."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Dotted names of the package's modules that the file at `path` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {n for n in names if n.split(".")[0] == PACKAGE and module_path(n, root)}
    return found


def closure(script: Path, root: Path = ROOT) -> set[Path]:
    """Every file of the package that running `script` imports, as paths relative to `root`."""
    seen, todo = set(), sorted(imported_modules(root / script, root))
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__.py and a/b/__init__.py first
            parent = ".".join(parts[:i])
            path = module_path(parent, root)
            if path and path not in seen:
                seen.add(path)
                todo += sorted(imported_modules(path, root))
    return {p.relative_to(root) for p in seen}


def package_files(folder: Path, root: Path = ROOT) -> set[Path]:
    return {p.relative_to(root) for p in (root / folder).rglob("*.py")}


def needed_deps(script: Path, root: Path = ROOT) -> list[str]:
    """The script, then the package files of its closure, a sub-package wholly in it as its folder."""
    files = closure(script, root)
    deps = set(files)
    for folder in sorted({p.parent for p in files if len(p.parts) > 2}):  # oneclick/<concern>/<module>.py
        whole = package_files(folder, root)
        if whole <= files:
            deps = (deps - whole) | {folder}
    return [script.as_posix()] + sorted(p.as_posix() for p in deps)


def covered(deps: list[str], root: Path = ROOT) -> set[Path]:
    """The package files that a list of deps covers (a folder covers every module in it)."""
    out = set()
    for dep in deps:
        path = Path(dep)
        if (root / path).is_dir():
            out |= package_files(path, root)
        elif path.suffix == ".py":
            out.add(path)
    return out


def stages(root: Path = ROOT):
    """(name, stage definition, script) of every stage of dvc.yaml (a foreach or matrix stage once)."""
    dvc = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))
    for name, stage in dvc["stages"].items():
        stage = stage.get("do", stage)
        script = Path("stages") / (stage["cmd"].split("python -m stages.")[1].split()[0] + ".py")
        yield name, stage, script


def code_deps(stage: dict) -> list[str]:
    """The deps of a stage that are code: the package's and the stage scripts'."""
    return [d for d in stage.get("deps", []) if isinstance(d, str) and d.split("/")[0] in (PACKAGE, "stages")]


def write(root: Path = ROOT) -> None:
    """Replace each stage's code deps in dvc.yaml by the needed ones, keeping the rest of the file as written."""
    lines = (root / "dvc.yaml").read_text(encoding="utf-8").split("\n")
    for name, stage, script in stages(root):
        listed, needed = code_deps(stage), needed_deps(script, root)
        first = lines.index(f"  {name}:")
        last = next((i for i in range(first + 1, len(lines)) if re.match(r"^ {0,2}\S", lines[i])), len(lines))
        at = [i for i in range(first, last) if re.fullmatch(r" +- (.+)", lines[i])
              and re.fullmatch(r" +- (.+)", lines[i]).group(1) in listed]
        indent = lines[at[0]].split("-")[0]
        block = [line for i, line in enumerate(lines[first:last], start=first) if i not in at[1:]]
        block[at[0] - first:at[0] - first + 1] = [f"{indent}- {dep}" for dep in needed]
        lines[first:last] = block
    (root / "dvc.yaml").write_text("\n".join(lines), encoding="utf-8")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="put the needed code deps into dvc.yaml")
    args = parser.parse_args(argv)
    if args.write:
        write()
    differ = False
    for name, stage, script in stages():
        listed, needed = code_deps(stage), needed_deps(script)
        if listed != needed:
            differ = True
            print(f"{name}: lists {listed}\n  needs {needed}")
    if differ and not args.write:
        sys.exit(1)


if __name__ == "__main__":
    main()
