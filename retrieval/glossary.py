"""A small English → Indonesian glossary of news vocabulary for lexical search.

The dense model is multilingual, but BM25 only matches words. For a question in
English, adding the Indonesian words for its terms lets the lexical index help
instead of contributing nothing. General news/politics vocabulary only.
"""

from __future__ import annotations

_PAIRS = """
aid=bantuan assistance=bantuan help=bantu support=dukung supports=dukung supported=dukung
military=militer army=tentara troops=tentara soldiers=tentara soldier=tentara personnel=personel
defence=pertahanan defense=pertahanan security=keamanan safety=keamanan
weapon=senjata weapons=senjata arms=senjata ammunition=amunisi munitions=amunisi shells=amunisi
missile=rudal missiles=rudal drone=nirawak drones=nirawak
air=udara systems=sistem system=sistem
war=perang wars=perang conflict=konflik battle=pertempuran battlefield=medan
attack=serangan attacks=serangan strike=serangan strikes=serangan invasion=invasi invaded=invasi
invade=invasi aggression=agresi threat=ancaman threats=ancaman sanctions=sanksi
peace=perdamaian negotiation=negosiasi negotiations=negosiasi talks=perundingan
minister=menteri ministers=menteri foreign=luar secretary=sekretaris general=jenderal
president=presiden prime=perdana leader=pemimpin leaders=pemimpin spokesman=juru spokesperson=juru
chief=ketua head=kepala official=pejabat officials=pejabat ally=sekutu allies=sekutu
alliance=aliansi member=anggota members=anggota membership=keanggotaan join=bergabung joined=bergabung
summit=puncak meeting=pertemuan meetings=pertemuan conference=konferensi council=dewan
country=negara countries=negara state=negara states=negara nation=negara nations=negara
europe=eropa european=eropa union=uni america=amerika american=amerika united=serikat
russia=rusia russian=rusia ukraine=ukraina ukrainian=ukraina china=china chinese=china
germany=jerman german=jerman france=prancis french=prancis sweden=swedia swedish=swedia
finland=finlandia poland=polandia polish=polandia hungary=hongaria netherlands=belanda dutch=belanda
japan=jepang korea=korea north=utara south=selatan east=timur west=barat eastern=timur western=barat
australia=australia zealand=selandia belgium=belgia lithuania=lituania iran=iran
money=dana fund=dana funds=dana funding=pendanaan budget=anggaran billion=miliar million=juta
trillion=triliun thousand=ribu euro=euro euros=euro dollar=dolar dollars=dolar cost=biaya
year=tahun years=tahun month=bulan months=bulan monthly=bulan week=minggu weeks=minggu day=hari
days=hari night=malam first=pertama half=paruh last=lalu next=depan future=depan
new=baru old=lama former=mantan successor=pengganti replace=pengganti replaces=pengganti
replaced=pengganti resign=mundur resigns=mundur step=mundur down=mundur
recruit=rekrut recruits=rekrut recruiting=rekrut losses=kerugian loss=kerugian
command=komando centre=pusat center=pusat headquarters=markas base=pangkalan
training=pelatihan train=latih industry=industri industrial=industri production=produksi
energy=energi electricity=listrik power=listrik infrastructure=infrastruktur residents=penduduk
people=orang killed=tewas dead=tewas city=kota capital=ibu region=wilayah territory=wilayah
border=perbatasan birthday=ulang anniversary=ulang collective=kolektif
intelligence=intelijen information=informasi sabotage=sabotase cyber=siber artificial=buatan
plan=rencana plans=rencana strategy=strategi document=dokumen white=putih paper=buku book=buku
commitment=komitmen target=target promise=janji pledge=janji pledged=janji decision=keputusan
decide=putuskan agreed=sepakat agree=sepakat agreement=kesepakatan consensus=konsensus
partner=mitra partners=mitra partnership=kemitraan cooperation=kerja global=global
why=alasan reason=alasan because=karena cold=dingin winter=dingin
founded=didirikan founding=didirikan established=didirikan original=awal start=mulai began=mulai
reconstruction=rekonstruksi urgent=mendesak needs=kebutuhan need=butuh needed=butuh
threatened=ancam said=kata says=kata say=kata told=kata warned=peringatkan warn=peringatkan
"""

GLOSSARY: dict[str, str] = dict(pair.split("=", 1) for pair in _PAIRS.split())
