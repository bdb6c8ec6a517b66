package dev.sandbox4j.egress.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cap accounting on its own: times are plain millis, addresses TEST-NET. */
class LearnedTableTest {
    private static List<InetAddress> ips(int from, int count) throws UnknownHostException {
        List<InetAddress> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(InetAddress.getByName("203.0.113." + i));
        }
        return out;
    }

    @Test
    void newAddressesOverTheNameCapAreWithheldInAnswerOrder() throws UnknownHostException {
        LearnedTable table = new LearnedTable(3, 100);

        LearnedTable.Admission a = table.admit("a.example.", ips(1, 5), 0, 1000);

        assertThat(a.admitted()).isEqualTo(ips(1, 3));
        assertThat(a.withheld()).isEqualTo(2);
        assertThat(a.cap()).isEqualTo("the name holds 3 open addresses; the cap per name is 3");
    }

    @Test
    void addressesTheNameHoldsAreAdmittedEvenAtTheCapAndKeepTheLaterExpiry() throws UnknownHostException {
        LearnedTable table = new LearnedTable(2, 100);
        table.admit("a.example.", ips(1, 2), 0, 1000);

        LearnedTable.Admission again = table.admit("a.example.", List.of(ips(3, 1).get(0), ips(2, 1).get(0)), 500,
                5000);
        LearnedTable.Admission afterFirstExpiry = table.admit("a.example.", ips(3, 1), 1500, 6000);

        assertThat(again.admitted()).isEqualTo(ips(2, 1));
        assertThat(again.withheld()).isEqualTo(1);
        assertThat(afterFirstExpiry.admitted()).as(".1 closed at 1000, .2 open until 5000: one slot free")
                .isEqualTo(ips(3, 1));
    }

    @Test
    void theSandboxCapCountsAnAddressSharedByTwoNamesOnce() throws UnknownHostException {
        LearnedTable table = new LearnedTable(10, 3);
        table.admit("a.example.", ips(1, 3), 0, 1000);

        LearnedTable.Admission shared = table.admit("b.example.", ips(1, 3), 0, 1000);
        LearnedTable.Admission fresh = table.admit("c.example.", ips(4, 1), 0, 1000);
        LearnedTable.Admission later = table.admit("c.example.", ips(4, 1), 1000, 2000);

        assertThat(shared.admitted()).hasSize(3);
        assertThat(fresh.admitted()).isEmpty();
        assertThat(fresh.cap()).isEqualTo("the sandbox holds 3 open learned addresses; the cap is 3");
        assertThat(later.admitted()).as("everything closed at 1000").isEqualTo(ips(4, 1));
    }

    @Test
    void expiredEntriesOfNamesNeverAskedAgainAreSweptAway() throws UnknownHostException {
        LearnedTable table = new LearnedTable(10, 10_000);
        for (int i = 0; i < 2000; i++) {
            table.admit("n" + i + ".example.", ips(1, 1), i, i + 1);
        }

        int names = table.names();

        assertThat(names).as("swept every 1024 admissions").isLessThanOrEqualTo(1024);
        assertThat(table.admit("x.example.", ips(2, 1), 5000, 6000).admitted()).hasSize(1);
    }
}
