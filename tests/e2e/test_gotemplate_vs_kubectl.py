"""Differential tests: pykctl's go-template engine against the real kubectl v1.37.1.

kubectl's go-template printer is driven offline with ``kubectl label --local -f OBJ --overwrite
t=1 -o go-template=T``: the object already carries ``t=1``, so it reaches the printer unchanged, as
an unstructured map (the data given to :func:`render` is kubectl's own ``-o json`` of it, so
numbers have the types kubectl's template sees). A few cases go through ``kubectl create configmap
--dry-run=client`` instead, whose object is a typed struct (raw JSON in field order). For every
template the stdout, stderr and exit code must match byte for byte; pykctl's side is what a command
prints with :func:`render`: the text, or ``TemplateError.stdout`` on stdout and ``error: MESSAGE``
on stderr with exit code 1. kubectl runs are done up front, in parallel, to keep the module fast.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from pykctl.printers.gotemplate import TemplateError, render

pytestmark = pytest.mark.e2e

_PATH = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
KUBECTL = shutil.which("kubectl", path=_PATH)

OBJECT: dict[str, object] = {
    "apiVersion": "example.com/v1",
    "kind": "Thing",
    "metadata": {
        "name": "wéb",
        "namespace": "default",
        "labels": {"t": "1", "app": "web", "tier": "front"},
        "annotations": {"a.b/c": "x y", "empty": ""},
    },
    "data": {"password": "c2VjcmV0", "bad": "aGk", "nl": "aG\nk=", "junk": "aGk=x", "pad": "a==="},
    "spec": {
        "replicas": 3,
        "ratio": 0.5,
        "big": 1e21,
        "million": 1000000.5,
        "whole": 2.0,
        "neg": -7,
        "zero": 0,
        "max": 9223372036854775807,
        "on": True,
        "off": False,
        "nil": None,
        "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443, "np": 30443}],
        "list": [1, "two", None, 2.5, True, {"k": "v"}, [1, 2]],
        "three": ["a", "b", "c"],
        "nums": [3, 1, 2],
        "empty": [],
        "emptymap": {},
        "emptystr": "",
        "str": "héllo wörld",
        "html": "<a href='x'>&\"</a>",
        "ctrl": "a\tb\nc\u0001\u007f\u2028",
        "uni": "日本語",
        "numstr": "42",
        "nested": {"a": {"b": {"c": "deep"}}, "n": None, "z": 1, "A": 2, "_": 3},
        "pct": "100%",
        "dots": {"x.y": "dotted"},
    },
}

# Templates kubectl prints without error (run in batches, see ``kubectl`` below).
CASES = [
    # fields, roots, text
    "{{.kind}}",
    "{{ .kind }}",
    "{{.metadata.name}}/{{.metadata.namespace}}",
    "{{.}}",
    "{{$}}",
    "{{$.kind}}",
    "{{.spec.nested}}",
    "{{.spec.nested.a.b.c}}",
    "{{.spec.nothing}}",
    "{{.spec.nothing.deeper.still}}",
    "{{.spec.nil}}",
    "{{.spec.dots}}",
    "plain text only",
    "a\\nb {{.kind}}",
    "line1\nline2 {{.kind}}\n",
    "{{.kind}}{{.kind}}",
    "{{.metadata.labels}}",
    "{{.metadata.annotations}}",
    "{{.spec.list}}",
    "{{.spec.empty}} {{.spec.emptymap}} [{{.spec.emptystr}}]",
    "{{.spec.replicas}} {{.spec.ratio}} {{.spec.big}} {{.spec.million}} {{.spec.whole}}",
    "{{.spec.neg}} {{.spec.zero}} {{.spec.max}} {{.spec.on}} {{.spec.off}}",
    "{{.spec.str}} {{.spec.uni}} {{.spec.html}}",
    "{{.spec.ctrl}}",
    # comments and trim markers
    "{{/* a comment */}}x",
    "a {{- /* trimmed */ -}} b",
    "a  \n {{- .kind -}} \n  b",
    "a {{- .kind}} b",
    "a {{.kind -}} b",
    "{{- .kind}}",
    "{{-3}}",
    "{{- 3}}",
    "{{3 -}}",
    "{{/* multi\nline */}}done",
    # literals
    "{{1}} {{-1}} {{+1}} {{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}}",
    "{{1.5}} {{1e3}} {{.5}} {{5.}} {{1e-7}} {{0x1p-2}} {{1E21}}",
    "{{'a'}} {{'\\n'}} {{'é'}} {{'\\x41'}} {{'\\u00e9'}}",
    "{{1i}} {{2+3i}} {{0i}} {{1.5-2i}}",
    "{{1_0+2i}} {{0x1p3+0x1p-1i}} {{1.5e+2-2.5e-1i}}",
    "{{true}} {{false}}",
    '{{"str"}} {{`raw\\n`}} {{"tab\\there"}} {{"\\u00e9\\x41\\101"}}',
    "{{-9223372036854775808}}",
    "{{printf \"%T %T %T %T %T\" 1 1.5 'a' 1i true}}",
    '{{printf "%T %T %T" 1e3 0x10 -0x1e}}',
    # variables
    "{{$x := .kind}}{{$x}}",
    "{{$x := .kind}}{{$x = .apiVersion}}{{$x}}",
    "{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}",
    "{{$x := .metadata}}{{$x.name}}",
    "{{$x := .spec.nil}}{{$x.y}}",
    "{{$ := 1}}{{$}}",
    "{{with $x := .metadata}}{{$x.name}}{{end}}",
    # pipelines and parentheses
    '{{.kind | printf "%s!"}}',
    '{{.kind | printf "%s-%s" .apiVersion}}',
    '{{"x" | printf "%s" | printf "[%s]"}}',
    "{{(.metadata).name}}",
    "{{(index .spec.ports 1).port}}",
    '{{(printf "%d" 3)}}',
    "{{(1)}}",
    '{{1 | printf "%v"}}',
    "{{.kind | len}}",
    '{{printf "%s" (len .kind)}}',
    "{{((((.kind))))}}",
    "{{.kind |}}",
    # if / else / with
    "{{if .spec.on}}on{{end}}",
    "{{if .spec.off}}on{{else}}off{{end}}",
    "{{if .spec.nothing}}y{{else}}n{{end}}",
    "{{if .spec.nil}}y{{else}}n{{end}}",
    "{{if .spec.empty}}y{{else if .spec.list}}list{{else}}n{{end}}",
    "{{if .spec.zero}}y{{else if .spec.neg}}neg{{end}}",
    '{{if 0.0}}y{{else}}n{{end}}{{if 0i}}y{{else}}n{{end}}{{if ""}}y{{else}}n{{end}}',
    "{{if .spec.emptymap}}y{{else}}n{{end}}",
    "{{with .metadata}}{{.name}}{{end}}",
    "{{with .spec.nothing}}y{{else}}none{{end}}",
    "{{with .spec.nothing}}a{{else with .spec.replicas}}{{.}}{{end}}",
    "{{with .spec.nothing}}a{{else with .spec.nil}}b{{else}}c{{end}}",
    # range
    "{{range .spec.ports}}{{.name}}:{{.port}} {{end}}",
    "{{range $i, $p := .spec.ports}}{{$i}}={{$p.name}} {{end}}",
    "{{range $p := .spec.ports}}{{$p.port}} {{end}}",
    "{{range $k, $v := .metadata.labels}}{{$k}}={{$v}};{{end}}",
    "{{range .spec.nested}}{{.}} {{end}}",
    "{{range $k, $v := .spec.nested}}{{$k}} {{end}}",
    "{{range .spec.empty}}x{{else}}empty{{end}}",
    "{{range .spec.nothing}}x{{else}}missing{{end}}",
    "{{range .spec.nil}}x{{else}}nil{{end}}",
    "{{range .spec.emptymap}}x{{else}}emptymap{{end}}",
    "{{range 3}}{{.}}{{end}}",
    "{{range $i := 3}}{{$i}}{{end}}",
    "{{range .spec.replicas}}{{.}} {{end}}",
    "{{range 0}}x{{else}}zero{{end}}",
    "{{range -2}}x{{else}}neg{{end}}",
    "{{range .spec.list}}[{{.}}]{{end}}",
    '{{range .spec.list}}{{printf "%T " .}}{{end}}',
    '{{range .spec.three}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}',
    '{{range .spec.three}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}',
    "{{range .spec.ports}}{{range $.spec.three}}{{.}}{{end}}|{{end}}",
    "{{range $i, $e := .spec.three}}{{range $j, $f := $.spec.three}}{{$i}}{{$j}} {{end}}{{end}}",
    "{{$x := 0}}{{range .spec.three}}{{$x = .}}{{end}}{{$x}}",
    "{{range $i, $e := .spec.three}}{{$i = 5}}{{$i}}{{end}}",
    "{{$i := 9}}{{range $i = .spec.three}}{{$i}}{{end}}{{$i}}",
    # define / template / block
    '{{define "t"}}T({{.}}){{end}}{{template "t" .kind}}',
    '{{define "t"}}T{{end}}{{template "t"}}',
    '{{define "t"}}{{.x}}{{end}}{{template "t" .metadata}}',
    '{{define "t"}}{{$}}{{end}}{{template "t" 5}}',
    '{{block "b" .kind}}<{{.}}>{{end}}',
    '{{define "t"}} {{end}}{{define "t"}}b{{end}}{{template "t"}}',
    '{{define "output"}}replaced{{end}}',
    # functions: and / or / not
    '{{and 1 2}} {{and 0 2}} {{and .spec.nothing 1}} {{or 0 ""}} {{or 0 3}}',
    "{{or .spec.nil .spec.on}}",
    "{{not 0}} {{not 1}} {{not .spec.nothing}} {{not .spec.list}}",
    "{{or 1 (index .spec.list 99)}}",
    "{{.spec.on | and 1}}",
    "{{0 | or .spec.nothing}}",
    # len / index / slice
    '{{len .spec.list}} {{len .spec.str}} {{len .metadata.labels}} {{len ""}}',
    '{{index .spec.list 1}} {{index .spec.list 6 1}} {{index .spec.nested "a" "b" "c"}}',
    '{{index .metadata.labels "app"}} [{{index .metadata.labels "nope"}}]',
    "{{index .spec.str 1}} {{index .spec.str 0}}",
    "{{index .spec}}",
    "{{index .spec.list .spec.replicas}}",
    "{{slice .spec.three 1}} {{slice .spec.three 1 2}} {{slice .spec.three}} {{slice .spec.str 1 3}}",
    "{{slice .spec.three 0 4}}",
    "{{slice .spec.list 0 8}}",
    "{{slice .spec.three 1 2 3}}",
    "{{$z := .spec.zero}}{{slice .spec.three $z}}",
    "{{slice (slice .spec.three 0 1) 0 3}}",
    "{{slice (slice .spec.three 1 2) 0 3}}",
    "{{len (slice .spec.three 0 1 2)}} {{slice (slice .spec.three 0 1 2) 0 2}}",
    '{{printf "%T" (slice .spec.three 1)}}',
    # comparisons
    '{{eq 1 1}} {{eq 1 2}} {{eq .spec.replicas 3}} {{eq .kind "Thing"}} {{eq 1 2 1}}',
    "{{eq .spec.on true}} {{eq 1.5 1.5}} {{eq .spec.ratio 0.5}} {{eq 1i 1i}}",
    "{{eq .spec.nothing .spec.nothing2}} {{eq .spec.nothing 1}} {{eq .spec.nil .spec.nothing}}",
    "{{eq .spec.nothing .spec.nested}}",
    "{{eq (index .spec.str 0) 104}} {{eq 104 (index .spec.str 0)}} {{eq -1 (index .spec.str 0)}}",
    '{{ne 1 2}} {{ne .kind "Thing"}}',
    '{{lt 1 2}} {{lt 2 1}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}} {{lt "a" "b"}} {{lt 1.5 2.5}}',
    "{{lt .spec.neg 0}} {{gt .spec.replicas .spec.zero}}",
    "{{lt (index .spec.str 0) 200}} {{lt -1 (index .spec.str 0)}} {{gt 300 (index .spec.str 0)}}",
    '{{lt "é" "z"}} {{lt "Z" "a"}}',
    # print family
    '{{print 1 2 "a" "b" 3 nil 4}}',
    '{{print}}|{{println}}|{{printf ""}}',
    '{{println 1 "a" nil}}',
    "{{print .spec.nil .spec.nothing}}",
    "{{print .spec.list}}",
    "{{printf .spec.pct}}",
    # html / js / urlquery
    '{{html .spec.html}} {{html "a\\x00b"}} {{html 1 "<"}}',
    "{{html .spec.nothing}} {{html nil}} {{html .spec.nil}} {{html .spec.list}}",
    '{{js .spec.html}} {{js .spec.ctrl}} {{js "=\\\\\'é日\\u00ad"}}',
    '{{js 1 2 "x"}}',
    '{{urlquery "a b&c/é?=+~._-"}} {{urlquery 1 "x y"}} {{urlquery}}',
    "{{.spec.html | html | js}}",
    # kubectl's functions
    '{{exists . "metadata" "labels" "app"}} {{exists . "metadata" "labels" "nope"}}',
    "{{exists .spec.list 1}} {{exists .spec.list 7}} {{exists .spec.list 2}} {{exists .spec.list -1}}",
    '{{exists .spec "nil"}} {{exists .spec "nothing"}} {{exists .spec.nothing}} {{exists .}}',
    '{{exists .spec.str 1}} {{exists .spec.str "a"}} {{exists .spec.list "a"}} {{exists . 1}}',
    '{{exists .spec.replicas 1}} {{exists . nil}} {{exists .spec.nested "n" "x"}}',
    "{{base64decode .data.password}}",
    "{{base64decode .data.nl}}",
    '{{base64decode ""}} {{base64decode "YQ=="}} {{base64decode "YWI="}}',
    '{{base64decode "/w=="}}',
    "{{.data.password | base64decode}}",
    # function errors and unknown functions
    '{{printf "%s" | len}}',
    # printf: values and verbs
    '{{printf "%v|%s|%d|%q|%x|%X|%T" .spec.replicas .kind .spec.neg .kind .spec.replicas 255 .spec.ratio}}',
    '{{printf "%5d|%-5d|%05d|%+d|% d|%x|%#x|%o|%#o|%O|%b|%#b" 42 42 42 42 42 -255 255 8 8 8 5 5}}',
    '{{printf "%c|%q|%U|%#U|%c|%q" 233 233 233 233 -1 -1}}',
    '{{printf "%.3d|%8.3d|%-8.3d|%08.3d|%.0d|%5.0d|" 7 7 7 7 0 0}}',
    '{{printf "%f|%.2f|%8.3f|%-8.2f|%08.2f|%+.1f|% .1f|%e|%E|%.3e|%g|%G|%.3g" 3.14159 3.14159 3.14159 3.14159 -3.14159 2.5 2.5 1234.5678 1234.5678 1234.5678 1e21 1e-7 100.0}}',
    '{{printf "%v %v %v %v %v %v %v" 1e6 1e20 1e21 1e-4 1e-5 123456.0 0.1}}',
    '{{printf "%b|%x|%X|%.2x|%#x|%#.0e|%#g|%#.3g|%#v" 1.0 3.0 -0.5 1.0 1.5 3.0 2.0 1.0 2.0}}',
    '{{printf "%F|%.0f|%.0f|%.1f|%5.1f|%-7.1e|" 1.5 0.5 1.5 0.05 -0.0 12.0}}',
    '{{printf "%v|%.2v|%10.3v|%g" .spec.million .spec.million .spec.ratio .spec.big}}',
    '{{printf "%v|%.1f|%e|%T|%5v|%+v" 1.5i 2i 3i 4i 1i 2i}}',
    '{{printf "%s|%10s|%-10s|%.2s|%5.1s|%q|%+q|%#q|%#q|%x|% x|%#x|% #x|%X" "héllo" "ab" "ab" "héllo" "héllo" "é\\n" "é" "a`b" "ab" "hé" "hé" "hé" "hé" "hé"}}',
    '{{printf "%05s|%-05s|%05q|%5t|%-6t|%t" "ab" "ab" "ab" true false .kind}}',
    '{{printf "%v|%d|%s|%q|%x|%5v" .spec.list .spec.nums .spec.three .spec.three .spec.three .spec.nums}}',
    '{{printf "%v|%d|%s|%-4v|" .metadata.labels .metadata.labels .spec.nested .spec.emptymap}}',
    '{{printf "%#v" .spec}}',
    '{{printf "%#v|%#v|%#v|%#v|%#v|%#v" 1 "s" true 1.5 .spec.list .spec.nil}}',
    '{{printf "%#v" (index .spec.str 0)}} {{printf "%v %d %x %c" (index .spec.str 0) (index .spec.str 0) (index .spec.str 0) (index .spec.str 0)}}',
    '{{printf "%+v|%+d|%+s" .spec.nested 5 "s"}}',
    '{{printf "%[2]d %[1]d|%[3]d|%*d|%-*d|%.*f|%d %!|%z" 1 2 3 5 4 2 3.14159 7}}',
    '{{printf "%"}}|{{printf "%5"}}|{{printf "%[x]d" 1}}|{{printf "%[0]d" 1}}|{{printf "%[2]d" 1}}',
    '{{printf "%[1]d %d" 1 2}}|{{printf "%d %d" 1}}|{{printf "%d" 1 2 "x" nil}}',
    '{{printf "%*d|%.*d|%*d" "x" 1 "y" 2 -5 3}}',
    '{{printf "%[2]*[1]d|%[3]*.[2]*[1]f|%[1]2d" 12 5 8}}',
    '{{printf "%d %s %v %t" nil nil nil nil}}',
    '{{printf "%d|%s|%t|%x" .spec.ratio .spec.replicas .kind .spec.on}}',
    '{{printf "%s" .spec.nested}}',
    '{{printf "%d" .spec.list}}',
    '{{printf "%p" 1}}|{{printf "%p" "s"}}|{{printf "%T" nil}}',
    '{{printf "%v %s" .spec.nothing .spec.nil}}',
    '{{printf "%T %T %T %T %T %T" .spec.replicas .spec.ratio .spec.list .metadata .spec.on .kind}}',
    '{{printf "%T %T %T" (len .kind) (index .spec.str 0) (slice .kind 1)}}',
    '{{printf "%5.2f%%|100%%|%-3c|" 99.5 65}}',
    '{{printf "%.3s|%.10s|%.0s|" "日本語です" "ab" "ab"}}',
    '{{printf "%x|%X|% X|%08x|%-8x|" "" "" "ab" "ab" "ab"}}',
    '{{printf "%6.2v|%06d|%-06d|%+06d|%06.2f|%-06.1f|" 3.14159 -42 -42 42 -3.14159 2.5}}',
    '{{printf "%U|%#U|%.6U|%#4U|%c|%c" 65 10 65 128512 128512 1114112}}',
    '{{printf "%q|%+q|%#q|%q" 10 233 65 1114112}}',
    '{{printf "%010.3e|%+010.3g|%-+10.3g|" 1234.5 1234.5 1234.5}}',
    '{{printf "%e|%g|%.0e|%#.0f|%#x|%#X" 0.0 -0.0 5.0 5.0 0.0 1.0}}',
    '{{printf "%.20f|%.15e|%.17g" 0.1 0.1 0.1}}',
    '{{printf "%v" .spec.ctrl}}|{{printf "%q" .spec.ctrl}}|{{printf "%+q" .spec.uni}}',
    '{{printf "%s %s" .kind}}',
    '{{printf "%!"}}',
    '{{printf "%-"}}',
    '{{printf "%."}}',
    '{{printf "%5."}}',
    '{{printf "%1000000000d" 1}}',
    '{{printf "%é" 1}}',
    # positions: lines, multibyte text before the failing node
    "{{\n.kind\n}}",
    "{{.kind\t}}",
    # more lexing
    "{{.kind}}}}",
    "{{- /* c */ -}}  \n  x",
    "x {{ .kind -}}\n\n  ",
    "{{.spec.日本}} {{.spec.nested.A}} {{.spec._}}",
    '{{.spec.x1 | printf "%v"}}',
    # and / or values
    "{{and .spec.list .spec.three}} {{or .spec.emptymap .spec.nested.a}} [{{and 1 .spec.nothing}}]",
    "{{and 1 0 (index .spec.list 99)}}|{{or .spec.nil 0}}",
    # scoping
    "{{$x := 1}}{{$x := 2}}{{$x}}",
    "{{with $x := 0}}a{{else}}[{{$x}}]{{end}}",
    "{{if $x := .kind}}{{$x}}{{end}}",
    '{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}B{{.}}{{end}}{{template "a" 1}}',
    "{{range .spec.three}}{{with .}}{{break}}{{end}}x{{end}}done",
    "{{range .spec.three}}{{range $.spec.nums}}{{if eq . 1}}{{break}}{{end}}{{.}}{{end}}|{{end}}",
    "{{range $i, $v := .spec.nested}}{{$i}}:{{$v}} {{end}}",
    '{{index .spec.dots "x.y"}}',
    "{{((((((((((((((((((((.kind))))))))))))))))))))}}",
    # integers at the edges
    '{{eq .spec.max 9223372036854775807}} {{lt .spec.max 1}} {{printf "%d %x %v" .spec.max .spec.max -9223372036854775808}}',
    '{{index .spec.three (index "\\x01" 0)}}',
    "{{printf \"%v %d %T\" 'a' 'a' 'a'}}",
    # bytes of strings
    '{{slice "héllo" 1 2}}|{{printf "%q %x %5s|%.1s|" (slice "é" 0 1) (slice "é" 0 1) (slice "é" 0 1) "é"}}',
    '{{len "é"}} {{js (slice "é" 0 1)}} {{html (slice "é" 0 1)}} {{urlquery (slice "é" 0 1)}}',
    '{{"\\xff"}} {{printf "%q %+q %#q" "\\xff" "\\xff" "\\xff"}} {{len "\\xff"}} {{js "\\xff"}}',
    '{{printf "%c|%q|%U|%#U" 55296 55296 55296 55296}}',
    '{{printf "%s" (slice .spec.uni 1 4)}}',
    # more printf
    '{{printf "%v" .spec.ports}}|{{printf "%#v" .spec.ports}}',
    '{{printf "%x|%X|%t|%s" .spec.nums .spec.three .spec.list .spec.list}}',
    '{{printf "%6.2f|" .spec.list}}',
    '{{printf "%x" .spec.nested}}',
    '{{printf "%08.3f|%+.3e|% x|%#o|%#x|%#b|%O" -1.5 0.0 255 0 0 -5 -8}}',
    '{{printf "%.0d|%.0x|%08.3d|%-08d|%+q|%-10q|" 0 0 -7 42 "日本" "a"}}',
    '{{printf "%.3x|%X|%#.3x|%.20x|%x|%b|%x" .spec.ratio .spec.million 1.5 1.5 1e-310 1e-310 -0.0}}',
    '{{printf "%.2e|%.1f|%.0f|%g|%g|%G|%.3G" 9.995 0.25 2.5 100000.0 1000000.0 1e-10 12345.0}}',
    '{{printf "%#.3g|%#g|%#e|%#.0e|%#.0f|%v" 1.0 1e21 1.0 1.0 1.0 1e-320}}',
    '{{printf "%s|%10.4v|%v|%#v|%#v|%T" 1.5 "abcdefgh" (slice .spec.three 0 0) (slice .spec.three 0 0) .spec.emptymap (slice .spec.three 0 0)}}',
    '{{print "a" 1 2 "b" .spec.on .spec.nil}}|{{println .spec.three}}',
    '{{printf "" .spec.list}}|{{printf "" .spec.nil}}|{{printf "%s" .}}',
    '{{printf "%v|%5.1f|%x" 1e100 1e100 1e100}}',
    '{{printf "%d|%5d" .spec.on .spec.off}}',
    # parse errors
    "}}",
    "{{.kind\n}}",
    '{{.kind\n| printf "%s"}}',
    '{{printf "%s" (\n.kind)}}',
    "{{ `multi\nline` }}",
]

# Templates kubectl rejects (each needs a run of its own).
ERROR_CASES = [
    # fields, roots, text
    "{{.spec.nil.x}}",
    "{{.kind.x}}",
    "{{(.kind).x}}",
    "{{.spec.ports.x}}",
    "{{.spec.replicas.x}}",
    "{{.kind .metadata}}",
    "{{.kind | .metadata}}",
    "{{.spec.nested.z 1}}",
    # comments and trim markers
    "{{/* unclosed",
    "{{/* c */ .kind}}",
    "{{ /* c */ }}",
    # literals
    "{{2+i}}",
    "{{0x1+2i}}",
    "{{1__0+2i}}",
    "{{0o7+1i}}",
    "{{1e400+1i}}",
    "{{1+1e400i}}",
    '{{"a\\qb"}}',
    "{{'ab'}}",
    "{{''}}",
    "{{089}}",
    "{{99999999999999999999}}",
    "{{18446744073709551615}}",
    "{{9223372036854775808}}",
    "{{1e400}}",
    "{{0x}}",
    "{{1e}}",
    "{{3k}}",
    "{{1__0}}",
    "{{nil}}",
    # variables
    "{{if true}}{{$y := 2}}{{end}}{{$y}}",
    "{{$y = 2}}",
    "{{$x, $y := 1}}",
    "{{$x := 1 2}}",
    "{{$x.y := 1}}",
    "{{$x := .kind}}{{$x 1}}",
    # pipelines and parentheses
    "{{(.kind) 1}}",
    "{{.kind | 1}}",
    "{{len | .kind}}",
    "{{(.kind}}",
    "{{.kind)}}",
    "{{()}}",
    "{{| .kind}}",
    "{{index.x}}",
    '{{"s".x}}',
    "{{nil.x}}",
    "{{..x}}",
    # if / else / with
    "{{if}}x{{end}}",
    "{{if .kind}}x",
    "{{if .kind}}x{{else}}y{{else}}z{{end}}",
    "{{else}}",
    "{{end}}",
    "{{if .kind}}{{end}}{{end}}",
    "{{with .kind}}{{else if .kind}}{{end}}",
    "{{if .kind}}{{else with .kind}}{{end}}",
    # range
    "{{range $i, $v := 3}}{{end}}",
    "{{range .kind}}{{end}}",
    "{{range .spec.on}}{{end}}",
    "{{range .spec.ratio}}{{end}}",
    "{{break}}",
    "{{continue}}",
    "{{range .spec.three}}{{break 1}}{{end}}",
    "{{range .spec.three}}{{else}}{{break}}{{end}}",
    "{{range $a, $b, $c := .spec.three}}{{end}}",
    "{{range $a, 1 := .spec.three}}{{end}}",
    "{{range .spec.three}}{{.x}}{{end}}",
    "{{range .spec.list}}{{.k}}{{end}}",
    # define / template / block
    '{{template "nope"}}',
    '{{$x := 1}}{{define "t"}}{{$x}}{{end}}',
    '{{define "b"}}override{{end}}{{block "b" .kind}}<{{.}}>{{end}}',
    '{{define "t"}}a{{end}}{{define "t"}}b{{end}}',
    '{{define "output"}}replaced{{end}}x',
    '{{define "t"}}{{template "t" .}}{{end}}{{template "t" .}}',
    '{{define "t"}}{{.kind.x}}{{end}}{{template "t" .}}',
    '{{define "t"}}x',
    '{{define "t"}}x{{else}}y{{end}}',
    "{{define t}}x{{end}}",
    '{{if true}}{{define "t"}}x{{end}}{{end}}',
    "{{template}}",
    '{{template "a" "b" "c"}}',
    "{{template .kind}}",
    '{{define "t" 1}}x{{end}}',
    # functions: and / or / not
    "{{and}}",
    "{{not}}",
    "{{not 1 2}}",
    "{{and 1 (index .spec.list 99)}}",
    # len / index / slice
    "{{len .spec.replicas}}",
    "{{len .spec.nothing}}",
    "{{len .spec.nil}}",
    "{{len nil}}",
    "{{index .spec.list 7}}",
    "{{index .spec.list 8}}",
    "{{index .spec.list -1}}",
    '{{index .spec.list "a"}}',
    "{{index .spec.list 1.5}}",
    "{{index .spec.list nil}}",
    "{{index .metadata.labels 1}}",
    "{{index .metadata.labels nil}}",
    "{{index .spec.str 13}}",
    "{{index .spec.replicas 1}}",
    "{{index .spec.nothing 1}}",
    "{{index .spec.nil 1}}",
    '{{index .spec.nested "n" "x"}}',
    "{{index}}",
    "{{slice .spec.three 0 5}}",
    "{{slice .spec.three 2 1}}",
    "{{slice .spec.three 1 3 2}}",
    "{{slice .spec.three 1 2 3 4}}",
    "{{slice .spec.str 1 2 3}}",
    "{{slice .spec.replicas 1}}",
    "{{slice .spec.nothing 1}}",
    "{{slice .spec.three .spec.zero}}",
    "{{slice (slice .spec.three 0 1 2) 0 3}}",
    # comparisons
    "{{eq .spec.replicas 3.0}}",
    "{{eq .kind 1}}",
    "{{eq 1}}",
    "{{eq}}",
    "{{eq .spec.list .spec.list}}",
    "{{eq .spec.nested .spec.nested}}",
    "{{eq .spec.nested .spec.list}}",
    '{{ne 1 "a"}}',
    "{{lt true false}}",
    "{{lt 1i 2i}}",
    '{{lt 1 "a"}}',
    "{{lt .spec.list 1}}",
    "{{lt .spec.nothing 1}}",
    '{{le 1 "a"}}',
    '{{gt 1 "a"}}',
    '{{ge 1 "a"}}',
    "{{lt 1}}",
    "{{lt 1 2 3}}",
    # print family
    "{{printf}}",
    "{{printf 1}}",
    "{{printf .spec.replicas}}",
    "{{printf .spec.nothing}}",
    "{{printf .spec.nil}}",
    "{{printf nil}}",
    "{{printf true}}",
    # call
    "{{call .kind}}",
    "{{call .spec.nothing}}",
    "{{call}}",
    "{{.kind | call}}",
    "{{.spec.replicas | call}}",
    "{{call .spec.list 1 2}}",
    # kubectl's functions
    "{{exists}}",
    "{{base64decode .data.bad}}",
    "{{base64decode .data.junk}}",
    "{{base64decode .data.pad}}",
    '{{base64decode "YQ="}}',
    '{{base64decode "Y"}}',
    '{{base64decode "YQ==YQ=="}}',
    '{{base64decode "Y*=="}}',
    '{{base64decode "="}}',
    '{{base64decode "\\xff\\xfe"}}',
    "{{base64decode 1}}",
    "{{base64decode .spec.replicas}}",
    "{{base64decode .spec.nothing}}",
    "{{base64decode .spec.nil}}",
    "{{base64decode nil}}",
    "{{base64decode}}",
    '{{base64decode "a" "b"}}',
    # function errors and unknown functions
    "{{nope}}",
    "{{nope 1}}",
    "{{.kind | nope}}",
    # positions: lines, multibyte text before the failing node
    "é\n  {{.kind.x}}",
    "日本{{.kind.x}}",
    "{{if true}}\n  {{range .spec.three}}{{.x}}{{end}}{{end}}",
    'a\nb\n\n{{printf "%d" 1 | .kind}}',
    # more lexing
    "{{ - .kind}}",
    "{{-.kind}}",
    "{{3 - }}",
    "{{- - 3}}",
    "{{-/* c */}}",
    "{{.spec.1x}}",
    # scoping
    "{{range $i, $v := .spec.three}}{{end}}{{$i}}",
    '{{define "a%b"}}{{.kind.x}}{{end}}{{template "a%b" .}}',
    '{{template "t" | printf}}',
    "{{with .kind}}{{break}}{{end}}",
    "{{range .spec.three}}{{end}}{{break}}",
    # parse errors
    "{{.kind",
    "{{.kind}",
    "{{.kind}}{{",
    "{{",
    "{{{.kind}}}",
    "line1\nline2\n{{.kind",
    "a\n{{if .kind}}\nb\n",
    'x\n{{.kind "abc}}',
    '{{"abc}}',
    "{{`abc}}",
    "{{'a}}",
    "{{.kind.}}",
    "{{.kind!}}",
    "{{.kind@x}}",
    "{{$x@}}",
    "{{.a-b}}",
    "{{.a:b}}",
    "{{:}}",
    "{{=}}",
    "{{.kind = 1}}",
    "{{&}}",
    "{{€}}",
    "{{\u0001}}",
    "{{undefinedvar}}",
    "{{$undefined}}",
    "{{1 2}}",
    '{{"a" "b"}}',
    "{{true 1}}",
    "{{. 1}}",
    '{{.kind | "x"}}',
    "{{.kind | true}}",
    "{{.kind | nil}}",
    "{{.kind | .}}",
    "{{3 | 4}}",
    "{{1.x}}",
    "{{true.x}}",
    '{{"a""b"}}',
    '{{.kind"b"}}',
    "{{)}}",
    "{{(}}",
    "{{((.kind)}}",
    "{{end 1}}",
    "{{else 1}}",
    "{{if .kind}}{{else 1}}{{end}}",
    "{{range}}{{end}}",
    "{{with}}{{end}}",
    "{{range .x}}",
    "{{define}}",
    "{{template 1}}",
    "{{block}}",
    '{{block "x"}}{{end}}',
    '{{block "x" .}}',
    '{{block "x" .}}{{else}}{{end}}',
    '{{"\\z"}}',
    "{{'\\'}}",
    "{{/*}}",
    "{{/* a */x}}",
    "{{- /* a */x}}",
    "a\nb\nc{{/* unclosed\n",
    "{{if true}}\n{{.kind\n{{end}}",
    "{{ `multi\nline` .x }}",
]

# With --allow-missing-template-keys=false (text/template's missingkey=error).
STRICT_CASES = [
    "{{.kind}}",
    "{{.spec.nothing}}",
    "{{.kind}} {{.spec.nothing}}",
    "{{.spec.nothing.deeper}}",
    "{{.spec.nil}}",
    "{{.spec.nil.x}}",
    '{{index .spec "nothing"}}',
    '{{$x := index .spec "nothing"}}{{$x.y}}',
    "{{range .spec.ports}}{{.np}} {{end}}",
    "{{with .metadata}}{{.uid}}{{end}}",
    "{{if .spec.nothing}}y{{end}}",
    '{{exists .spec "nothing"}}',
    "{{.spec.nested.a.x}}",
    "{{.spec.replicas.x}}",
    "{{$x := .spec.nothing}}",
    "{{range $k, $v := .metadata.labels}}{{$v.x}}{{end}}",
    "{{.spec.list}} {{index .spec.list 2}}",
    "{{with .spec.nil}}x{{else}}{{.spec.nil2}}{{end}}",
]

# Through ``kubectl create configmap`` (a typed object: raw JSON in struct field order).
CONFIGMAP_CASES = [
    "{{.data.a}} {{.metadata.name}}",
    "{{.spec.nothing}}",
    "{{.kind}} {{.kind.x}}",
    '{{printf "%T %v" .metadata .metadata}}',
]


@dataclass(frozen=True)
class Outcome:
    stdout: bytes
    stderr: bytes
    code: int


SEPARATOR = "\x1f"
BATCH_SIZE = 25
Batch = tuple[str, ...]


def _run(argv: list[str], env: dict[str, str]) -> Outcome:
    done = subprocess.run(argv, capture_output=True, env=env, timeout=60, check=False)
    return Outcome(done.stdout, done.stderr, done.returncode)


def _label_argv(home: Path, output: str, *flags: str) -> list[str]:
    assert KUBECTL is not None
    obj = str(home / "object.json")
    return [KUBECTL, "label", "--local", "-f", obj, "--overwrite", "t=1", "-o", output, *flags]


def _configmap_argv(output: str) -> list[str]:
    assert KUBECTL is not None
    return [
        KUBECTL, "create", "configmap", "cm", "--from-literal=a=b", "--dry-run=client", "-o", output
    ]  # fmt: skip


def _split(stdout: bytes, batch: Batch) -> list[bytes] | None:
    parts = stdout.split(SEPARATOR.encode())
    return parts if len(parts) == len(batch) else None


@dataclass
class Kubectl:
    """kubectl's outcome for every case, and the objects its printer was given.

    Templates that succeed are printed ``BATCH_SIZE`` at a time, joined by SEPARATOR (a batch
    that fails is run template by template instead): ``batched`` maps a template to its batch,
    ``printed`` a batch to kubectl's output for each of its templates.
    """

    data: object
    configmap: object
    label: dict[tuple[str, bool], Outcome]
    batched: dict[str, Batch]
    printed: dict[Batch, list[bytes]]
    created: dict[str, Outcome]


@pytest.fixture(scope="module")
def kubectl(tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    if KUBECTL is None:
        pytest.skip("kubectl is not installed")
    home = tmp_path_factory.mktemp("kubectl-home")
    (home / "object.json").write_text(json.dumps(OBJECT), encoding="utf-8")
    env = {"PATH": _PATH, "HOME": str(home), "KUBECONFIG": str(home / "kubeconfig")}

    def label(key: tuple[str, bool]) -> Outcome:
        flags = () if key[1] else ("--allow-missing-template-keys=false",)
        return _run(_label_argv(home, f"go-template={key[0]}", *flags), env)

    batches = [tuple(CASES[i : i + BATCH_SIZE]) for i in range(0, len(CASES), BATCH_SIZE)]
    singles = [(t, True) for t in ERROR_CASES] + [(t, False) for t in STRICT_CASES]
    with ThreadPoolExecutor(max_workers=8) as pool:
        joined = pool.map(lambda b: label((SEPARATOR.join(b), True)), batches)
        printed = {
            b: _split(o.stdout, b) for b, o in zip(batches, joined, strict=True) if o.code == 0
        }
        ok = {b: parts for b, parts in printed.items() if parts is not None}
        singles += [(t, True) for b in batches if b not in ok for t in b]
        labelled = dict(zip(singles, pool.map(label, singles), strict=True))
        created = dict(
            zip(
                CONFIGMAP_CASES,
                pool.map(lambda t: _run(_configmap_argv(f"go-template={t}"), env), CONFIGMAP_CASES),
                strict=True,
            )
        )
    data = json.loads(_run(_label_argv(home, "json"), env).stdout)
    configmap = json.loads(_run(_configmap_argv("json"), env).stdout)
    batched = {t: b for b in ok for t in b}
    return Kubectl(data, configmap, labelled, batched, ok, created)


def ours(
    template: str, data: object, allow_missing: bool = True, raw: str | None = None
) -> Outcome:
    """What a pykctl command prints with render(): kubectl's streams and exit code."""
    try:
        text = render(template, data, allow_missing, raw_json=raw)
    except TemplateError as err:
        message = f"error: {err}"
        return Outcome(
            err.stdout.encode("utf-8", "surrogateescape"),
            (message if message.endswith("\n") else message + "\n").encode(),
            1,
        )
    return Outcome(text.encode("utf-8", "surrogateescape"), b"", 0)


_OURS_BATCHES: dict[Batch, list[bytes] | None] = {}


def ours_batch(batch: Batch, data: object) -> list[bytes] | None:
    """pykctl's output for each template of a batch (None if it does not print them all)."""
    if batch not in _OURS_BATCHES:
        done = ours(SEPARATOR.join(batch), data)
        _OURS_BATCHES[batch] = _split(done.stdout, batch) if done.code == 0 else None
    return _OURS_BATCHES[batch]


@pytest.mark.parametrize("template", CASES)
def test_go_template(kubectl: Kubectl, template: str) -> None:
    batch = kubectl.batched.get(template)
    if batch is None:
        assert ours(template, kubectl.data) == kubectl.label[(template, True)]
        return
    printed = ours_batch(batch, kubectl.data)
    assert printed is not None, ours(template, kubectl.data)
    n = batch.index(template)
    assert printed[n] == kubectl.printed[batch][n]


@pytest.mark.parametrize("template", ERROR_CASES)
def test_go_template_errors(kubectl: Kubectl, template: str) -> None:
    assert ours(template, kubectl.data) == kubectl.label[(template, True)]


@pytest.mark.parametrize("template", STRICT_CASES)
def test_go_template_missing_keys_not_allowed(kubectl: Kubectl, template: str) -> None:
    assert ours(template, kubectl.data, allow_missing=False) == kubectl.label[(template, False)]


@pytest.mark.parametrize("template", CONFIGMAP_CASES)
def test_go_template_typed_object(kubectl: Kubectl, template: str) -> None:
    from backends.objects import gojson

    raw = gojson.dumps(kubectl.configmap, sort_keys=False)
    assert ours(template, kubectl.configmap, raw=raw) == kubectl.created[template]
