"""The image catalog: reference normalization, what each image runs, pull errors."""

from __future__ import annotations

import pytest

from backends.simulator.kubelet.images import (
    ImageError,
    argv_for,
    digest_of,
    kuard_version,
    parse_reference,
    resolve,
)


@pytest.mark.parametrize(
    ("text", "full"),
    [
        ("busybox", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("nicolaka/netshoot", "docker.io/nicolaka/netshoot:latest"),
        ("gcr.io/kuar-demo/kuard-amd64:blue", "gcr.io/kuar-demo/kuard-amd64:blue"),
        ("localhost:5000/app:v1", "localhost:5000/app:v1"),
        ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
    ],
)
def test_references_are_normalized_as_containerd_does(text: str, full: str) -> None:
    assert parse_reference(text).full == full


def test_digests_are_stable_and_kept() -> None:
    digest = "sha256:" + "a" * 64
    assert parse_reference(f"busybox@{digest}").full == f"docker.io/library/busybox@{digest}"
    assert digest_of(parse_reference("busybox")) == digest_of(parse_reference("busybox:latest"))
    assert digest_of(parse_reference("busybox")) != digest_of(parse_reference("alpine"))


def test_invalid_names() -> None:
    with pytest.raises(ImageError) as err:
        parse_reference("BusyBox")
    assert err.value.reason == "InvalidImageName"
    assert str(err.value) == (
        'Failed to apply default image tag "BusyBox": couldn\'t parse image reference "BusyBox": '
        "invalid reference format: repository name must be lowercase"
    )


@pytest.mark.parametrize(
    ("tag", "version", "vintage"),
    [("blue", "v0.10.0-blue", "v0.10.0"), ("green", "v0.10.0-green", "v0.10.0"),
     ("purple", "v0.10.0-purple", "v0.10.0"), ("1", "v0.8.1-1", "v0.8.1"), ("3", "v0.8.1-3", "v0.8.1"),
     ("v0.10.0-blue", "v0.10.0-blue", "v0.10.0")],
)  # fmt: skip
def test_kuard_tags(tag: str, version: str, vintage: str) -> None:
    assert kuard_version(tag) == (version, vintage)
    image = resolve(f"gcr.io/kuar-demo/kuard-arm64:{tag}", False)
    assert (image.kind, image.version) == ("kuard", version)


def test_entrypoint_and_cmd_rules() -> None:
    blue = resolve("gcr.io/kuar-demo/kuard-amd64:blue", False)  # CMD ["/kuard"]
    one = resolve("gcr.io/kuar-demo/kuard-amd64:1", False)  # ENTRYPOINT ["/kuard"]
    assert argv_for(blue, None, None) == ["/kuard"]
    assert argv_for(blue, ["/kuard"], ["--keygen-enable"]) == ["/kuard", "--keygen-enable"]
    assert argv_for(one, None, ["--keygen-enable"]) == ["/kuard", "--keygen-enable"]
    busybox = resolve("busybox", False)
    assert argv_for(busybox, None, None) == ["sh"]
    assert argv_for(busybox, ["sleep"], ["5"]) == ["sleep", "5"]
    nginx = resolve("nginx:1.27", False)
    assert nginx.kind == "nginx" and argv_for(nginx, None, None)[1:] == [
        "nginx",
        "-g",
        "daemon off;",
    ]
    assert resolve("registry.k8s.io/pause:3.10", False).kind == "pause"


def test_unknown_images_need_a_command() -> None:
    assert resolve("example.com/team/app:1", True).kind == "shell"
    with pytest.raises(ImageError) as err:
        resolve("example.com/team/app:1", False)
    assert err.value.reason == "ErrImagePull"
    assert str(err.value) == (
        'failed to pull and unpack image "example.com/team/app:1": failed to resolve reference '
        '"example.com/team/app:1": example.com/team/app:1: not found'
    )
