package dev.sandbox4j.egress;

import java.util.List;
import java.util.Set;

/**
 * A compact built-in list of suffixes under which unrelated parties register names, so a wildcard on them would
 * allow strangers' hosts. Every single-label suffix ({@code com}, {@code io}, ...) counts too. This is not the full
 * Public Suffix List: it holds the multi-label public suffixes most often met and the shared-hosting zones whose
 * subdomains belong to arbitrary customers.
 */
final class PublicSuffixes {
    private static final Set<String> MULTI_LABEL = Set.copyOf(List.of(
            // country-code second levels
            "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "sch.uk", "nhs.uk",
            "com.au", "net.au", "org.au", "edu.au", "gov.au", "id.au", "asn.au",
            "co.nz", "net.nz", "org.nz", "govt.nz", "ac.nz",
            "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "ad.jp", "ed.jp", "gr.jp", "lg.jp",
            "co.kr", "or.kr", "ne.kr", "go.kr", "ac.kr", "re.kr",
            "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn",
            "com.hk", "net.hk", "org.hk", "edu.hk", "gov.hk",
            "com.tw", "net.tw", "org.tw", "edu.tw", "gov.tw",
            "com.sg", "net.sg", "org.sg", "edu.sg", "gov.sg",
            "com.my", "net.my", "org.my", "gov.my", "edu.my",
            "co.id", "or.id", "ac.id", "go.id", "web.id", "net.id",
            "co.th", "in.th", "ac.th", "go.th", "or.th",
            "com.vn", "net.vn", "org.vn", "edu.vn", "gov.vn",
            "com.ph", "net.ph", "org.ph", "gov.ph", "edu.ph",
            "co.in", "net.in", "org.in", "firm.in", "gen.in", "ind.in", "ac.in", "edu.in", "gov.in", "res.in",
            "com.pk", "net.pk", "org.pk", "edu.pk", "gov.pk",
            "co.il", "org.il", "net.il", "ac.il", "gov.il", "muni.il",
            "com.tr", "net.tr", "org.tr", "gen.tr", "edu.tr", "gov.tr", "biz.tr",
            "com.sa", "net.sa", "org.sa", "edu.sa", "gov.sa",
            "co.za", "org.za", "net.za", "web.za", "gov.za", "ac.za",
            "com.ng", "org.ng", "gov.ng", "edu.ng",
            "co.ke", "or.ke", "ac.ke", "go.ke",
            "com.eg", "org.eg", "gov.eg", "edu.eg",
            "com.br", "net.br", "org.br", "gov.br", "edu.br", "art.br", "blog.br", "eco.br", "ind.br",
            "com.ar", "net.ar", "org.ar", "gob.ar", "edu.ar",
            "com.mx", "net.mx", "org.mx", "gob.mx", "edu.mx",
            "com.co", "net.co", "org.co", "gov.co", "edu.co",
            "com.pe", "net.pe", "org.pe", "gob.pe", "edu.pe",
            "co.ve", "com.ve", "net.ve", "org.ve",
            "com.uy", "net.uy", "org.uy", "edu.uy",
            "gob.cl",
            "com.ua", "net.ua", "org.ua", "gov.ua", "in.ua", "kiev.ua",
            "com.ru", "net.ru", "org.ru", "msk.ru", "spb.ru",
            "com.pl", "net.pl", "org.pl", "gov.pl", "edu.pl", "waw.pl",
            "co.at", "or.at", "ac.at", "gv.at",
            "com.es", "nom.es", "org.es", "gob.es", "edu.es",
            "com.pt", "org.pt", "gov.pt", "edu.pt",
            "com.gr", "net.gr", "org.gr", "gov.gr", "edu.gr",
            "co.it", "gov.it", "edu.it",
            "asso.fr", "com.fr", "gouv.fr", "nom.fr",
            "co.no", "priv.no",
            "com.de",
            "us.com", "eu.com", "uk.com", "cn.com", "de.com", "jpn.com", "br.com", "ru.com", "za.com",
            "eu.org", "us.org",
            // shared hosting and cloud zones whose subdomains belong to arbitrary customers
            "amazonaws.com", "s3.amazonaws.com", "compute.amazonaws.com", "elb.amazonaws.com",
            "execute-api.amazonaws.com", "lambda-url.amazonaws.com", "cloudfront.net", "awsapps.com",
            "azurewebsites.net", "azureedge.net", "blob.core.windows.net", "cloudapp.net", "azurestaticapps.net",
            "trafficmanager.net", "azure-api.net", "azurefd.net",
            "appspot.com", "web.app", "firebaseapp.com", "run.app", "cloudfunctions.net", "googleusercontent.com",
            "blogspot.com", "withgoogle.com",
            "github.io", "githubusercontent.com", "gitlab.io", "bitbucket.io",
            "herokuapp.com", "herokudns.com", "netlify.app", "netlify.com", "vercel.app", "now.sh",
            "pages.dev", "workers.dev", "r2.dev", "trycloudflare.com",
            "ngrok.io", "ngrok.app", "ngrok-free.app", "ngrok.dev", "loca.lt", "serveo.net",
            "fly.dev", "onrender.com", "railway.app", "glitch.me", "repl.co", "replit.dev", "surge.sh",
            "readthedocs.io", "webflow.io", "wixsite.com", "wordpress.com", "tumblr.com", "myshopify.com",
            "digitaloceanspaces.com", "ondigitalocean.app", "linodeobjects.com", "oraclecloud.com",
            "dyndns.org", "duckdns.org", "no-ip.org", "ddns.net", "hopto.org", "zapto.org", "sytes.net",
            "nip.io", "sslip.io", "xip.io"));

    private PublicSuffixes() {
    }

    /** Whether a wildcard on this base (labels leftmost first) would cover names owned by unrelated parties. */
    static boolean isPublicSuffix(List<String> labels) {
        return labels.size() == 1 || MULTI_LABEL.contains(String.join(".", labels));
    }
}
