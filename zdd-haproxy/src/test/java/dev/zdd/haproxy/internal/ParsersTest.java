package dev.zdd.haproxy.internal;

import dev.zdd.haproxy.ServerState;
import dev.zdd.haproxy.StatRow;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Answers copied from HAProxy 2.6.12, and damaged copies of them. */
class ParsersTest {
    static final String STATE = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
            + "srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state "
            + "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port "
            + "srv_check_addr srv_agent_addr srv_agent_port\n"
            + "3 app 1 blue 127.0.0.1 2 0 256 256 2 1 0 2 0 0 0 0 - 19001 - 0 0 - - 0\n"
            + "3 app 2 green 127.0.0.1 2 12 0 256 0 1 0 0 8 0 0 0 - 19002 - 0 0 - - 0\n"
            + "3 app 3 old 127.0.0.1 0 5 0 256 0 1 0 0 8 0 0 0 - 19003 - 0 0 - - 0\n\n";
    static final String STAT = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,status,weight,hrsp_5xx,req_tot,rtime,ttime,\n"
            + "app,blue,0,0,3,4,,120,UP,256,2,118,1,5,\n"
            + "app,BACKEND,0,0,3,4,,120,UP,256,2,,1,5,\n\n";

    @Test
    void parsesServersStateByHeaderNames() {
        List<ServerState> s = Parsers.serversState(STATE);
        assertEquals(3, s.size());
        assertEquals(new ServerState("app", 1, "blue", "127.0.0.1", 19001, 2, 0, 256, 256), s.get(0));
        assertTrue(s.get(0).serving());
        assertTrue(s.get(1).draining());
        assertFalse(s.get(1).inMaintenance());
        assertTrue(s.get(2).inMaintenance());
        assertFalse(s.get(2).serving());
    }

    @Test
    void refusesMalformedServersState() {
        for (String bad : List.of("", "Can't find backend.\n\n", "2\n# be_name\n", "1\nbe_id be_name\n",
                "1\n# be_id be_name srv_id\n3 app 1\n", STATE.replace("127.0.0.1 2 0 256", "127.0.0.1 2 0 x"),
                STATE.replace(" 19001 - 0 0 - - 0", " 19001"), STATE.replace("green", "") + "\n3 app\n")) {
            assertThrows(Parsers.MalformedAnswerException.class, () -> Parsers.serversState(bad), bad);
        }
    }

    @Test
    void parsesStatCsv() {
        List<StatRow> rows = Parsers.stat(STAT);
        assertEquals(2, rows.size());
        StatRow blue = rows.get(0);
        assertEquals("app", blue.proxy());
        assertEquals("blue", blue.name());
        assertEquals(3, blue.scur());
        assertEquals(120, blue.stot());
        assertEquals(118, blue.requests());
        assertEquals(2, blue.hrsp5xx());
        assertEquals(5, blue.ttimeMs());
        assertEquals("UP", blue.status());
        assertTrue(blue.isServer());
        assertFalse(rows.get(1).isServer());
        assertEquals(0, rows.get(1).requests());
    }

    @Test
    void refusesMalformedStat() {
        for (String bad : List.of("", "No such proxy.\n\n", "pxname,svname\napp,blue\n",
                STAT.replace("app,blue,0,0,3", "app,blue,0,0,x"), STAT.replace(",120,UP,256,2,118,1,5,", ",120,UP"),
                "# pxname,svname,status\napp,blue,UP\n")) {
            assertThrows(Parsers.MalformedAnswerException.class, () -> Parsers.stat(bad), bad);
        }
    }

    @Test
    void parsesMapsVersionsAndInfo() {
        assertEquals(Map.of("0:999", "green", "1000:9999", "blue"),
                Parsers.map("0x7f6ffc046450 0:999 green\n0x7f6ffc046560 1000:9999 blue\n\n"));
        assertEquals(Map.of(), Parsers.map("\n"));
        assertThrows(Parsers.MalformedAnswerException.class, () -> Parsers.map("Unknown map identifier. Please use #<id> or <file>.\n"));
        assertEquals(7, Parsers.preparedVersion("New version created: 7\n\n"));
        assertThrows(Parsers.MalformedAnswerException.class, () -> Parsers.preparedVersion("Unknown map identifier.\n"));
        assertEquals("2.6.12-1+deb12u4", Parsers.version("Name: HAProxy\nVersion: 2.6.12-1+deb12u4\nPid: 1\n"));
        assertThrows(Parsers.MalformedAnswerException.class, () -> Parsers.version("garbage\n"));
    }

    @Test
    void namesRefuseInjection() {
        for (String bad : List.of("a b", "a;b", "a#b", "a\nb", "", "-a", "a/b", "a\"b", "a$b", "a{b}")) {
            assertThrows(IllegalArgumentException.class, () -> Names.name("server", bad), bad);
        }
        assertEquals("web-1.v2_a:x", Names.name("server", "web-1.v2_a:x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Names.name("server", "a;\nshutdown"));
        assertTrue(e.getMessage().contains("server 'a;\\u000ashutdown' is invalid"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Names.ipLiteral("host", "localhost"));
        assertThrows(IllegalArgumentException.class, () -> Names.ipLiteral("host", "1.2.3.4;"));
        assertEquals("::1", Names.ipLiteral("host", "::1"));
        assertThrows(IllegalArgumentException.class, () -> Names.mapPath("map", "/tmp/a b.map"));
        assertThrows(IllegalArgumentException.class, () -> Names.mapPath("map", "relative.map"));
        assertThrows(IllegalArgumentException.class, () -> Names.mapWord("key", "a b"));
        assertThrows(IllegalArgumentException.class, () -> Names.mapWord("key", "a;b"));
    }
}
