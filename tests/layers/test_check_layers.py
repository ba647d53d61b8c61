"""The layer check can fail: each rule is broken on purpose in a copy of the tree (or of
the map) and must be reported with its file, line and targets. Run by ctest
"layers.self_test" with POSTAMT_LAYER_MAP and POSTAMT_SOURCE_DIR set."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "check_layers.py")
SOURCE_DIR = os.environ.get("POSTAMT_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..")))
MAP = os.environ.get("POSTAMT_LAYER_MAP", os.path.join(SOURCE_DIR, "build", "layers.txt"))


def run(map_path, source_dir):
    p = subprocess.run([sys.executable, CHECK, map_path, source_dir], capture_output=True,
                       text=True, check=False)
    return p.returncode, p.stdout.splitlines()


class CheckLayersTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="postamt-layers-")
        shutil.copytree(os.path.join(SOURCE_DIR, "src"), os.path.join(self.tmp, "src"))
        self.map = os.path.join(self.tmp, "layers.txt")
        shutil.copy(MAP, self.map)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def append(self, rel, text):
        with open(os.path.join(self.tmp, rel), "a", encoding="utf-8") as f:
            f.write(text)
        with open(os.path.join(self.tmp, rel), encoding="utf-8") as f:
            return sum(1 for _ in f)

    def test_the_tree_as_it_is_passes(self):
        code, out = run(self.map, self.tmp)
        self.assertEqual(code, 0, "\n".join(out))
        self.assertRegex(out[-1], r"^layers: \d+ targets, \d+ includes checked, 0 problems$")

    def test_an_include_upwards_fails(self):
        # The mail core naming an engine: the arrow the layers forbid.
        line = self.append("src/mail/messages.cpp", '#include "imap/session/session.h"\n')
        code, out = run(self.map, self.tmp)
        self.assertEqual(code, 1)
        self.assertIn(
            "src/mail/messages.cpp:%d: includes src/imap/session/session.h of "
            "postamt_imap_session, which postamt_mail does not link (floor 6 -> 9); link it "
            "if the layers allow, or move the code" % line, out)
        self.assertEqual(out[-1].split(", ")[-1], "1 problems")

    def test_an_include_sideways_without_a_link_fails(self):
        # Two engines on one floor: neither may include the other.
        line = self.append("src/pop3/session/maildrop.cpp", '#include "smtp/server/trace.h"\n')
        code, out = run(self.map, self.tmp)
        self.assertEqual(code, 1)
        self.assertIn(
            "src/pop3/session/maildrop.cpp:%d: includes src/smtp/server/trace.h of "
            "postamt_smtp_server, which postamt_pop3_session does not link (floor 9 -> 9); "
            "link it if the layers allow, or move the code" % line, out)

    def test_a_private_link_is_not_passed_on(self):
        # delivery links mail privately, so what links delivery does not reach mail.
        with open(self.map, encoding="utf-8") as f:
            lines = [l for l in f if not l.startswith("link\tpostamt_admin\t")]
        lines.append("link\tpostamt_admin\tpostamt_delivery\tprivate\n")
        with open(self.map, "w", encoding="utf-8") as f:
            f.writelines(lines)
        line = self.append("src/admin/admin.cpp", '#include "mail/flags.h"\n')
        code, out = run(self.map, self.tmp)
        self.assertEqual(code, 1)
        self.assertTrue(any(o.startswith("src/admin/admin.cpp:%d: includes src/mail/flags.h "
                                         "of postamt_mail, which postamt_admin" % line)
                            for o in out), "\n".join(out))

    def test_a_link_upwards_fails(self):
        with open(self.map, "a", encoding="utf-8") as f:
            f.write("link\tpostamt_mail\tpostamt_smtp_server\tprivate\n")
        code, out = run(self.map, self.tmp)
        self.assertEqual(code, 1)
        self.assertIn("link postamt_mail (floor 6) -> postamt_smtp_server (floor 9): links "
                      "must point down", out)

    def test_product_code_including_a_test_helper_fails(self):
        line = self.append("src/queue/worker.cpp", '#include "queue/test_support.h"\n')
        code, out = run(self.map, self.tmp)
        self.assertEqual(code, 1)
        self.assertIn("src/queue/worker.cpp:%d: includes src/queue/test_support.h, which only "
                      "tests may use" % line, out)

    def test_a_file_no_target_owns_fails(self):
        os.makedirs(os.path.join(self.tmp, "src", "orphan"))
        with open(os.path.join(self.tmp, "src", "orphan", "lost.cpp"), "w") as f:
            f.write("int lost() { return 0; }\n")
        code, out = run(self.map, self.tmp)
        self.assertEqual(code, 1)
        self.assertIn("src/orphan/lost.cpp: belongs to no target: no target has sources in its "
                      "folder or above", out)


if __name__ == "__main__":
    unittest.main()
